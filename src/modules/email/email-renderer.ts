import { Inject, Injectable } from '@nestjs/common';
import type Handlebars from 'handlebars';
import { lazyModule } from '../../common/lazy-module.js';
import { EmailRepository } from './email.repository.js';
import type { EmailTemplate } from './email.rows.js';
import { formatDate, formatDateTime, formatDuration, formatRange, formatTime, plural } from './email-format.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

interface Compiled {
  updatedAt: number;
  subject: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
}

export class TemplateVariablesError extends Error {}

type HelperOptions = { data?: { root?: { locale?: unknown } } };
const localeOf = (options: HelperOptions) =>
  typeof options?.data?.root?.locale === 'string' ? options.data.root.locale : 'en';

// The frame around every HTML body: one place for the look, inline styles for mail clients.
const layoutSource = `<!doctype html>
<html lang="{{locale}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{subject}}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2430;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
{{{body}}}
</div>
<p style="max-width:560px;margin:16px auto 0;font-size:12px;color:#6b7280">Sent by Calento.</p>
</body>
</html>
`;
const textFooter = '\n-- \nSent by Calento.\n';

/** Loaded with the first email a process renders (src/common/lazy-module.ts). */
const handlebarsModule = lazyModule<typeof Handlebars>('handlebars');

/** Handlebars with Calento's helpers, and the layout compiled once: built with the first email a process renders. */
interface TemplateEngine {
  handlebars: typeof Handlebars;
  layout: HandlebarsTemplateDelegate;
}

function templateEngine(): TemplateEngine {
  const handlebars = handlebarsModule().create();
  const helpers: Record<string, Handlebars.HelperDelegate> = {
    datetime: (value: string, zone: string, options: HelperOptions) => formatDateTime(value, zone, localeOf(options)),
    time: (value: string, zone: string, options: HelperOptions) => formatTime(value, zone, localeOf(options)),
    date: (value: string, zone: string, options: HelperOptions) => formatDate(value, zone, localeOf(options)),
    range: (start: string, end: string, zone: string, options: HelperOptions) => formatRange(start, end, zone, localeOf(options)),
    duration: (minutes: number) => formatDuration(minutes),
    plural: (count: number, one: string, many: string) => plural(count, one, many),
  };
  for (const [name, helper] of Object.entries(helpers)) handlebars.registerHelper(name, helper);
  return { handlebars, layout: handlebars.compile(layoutSource, { strict: true }) };
}

/**
 * Renders the email templates stored in email_templates with Handlebars: the HTML body escapes every
 * {{value}} (user content cannot inject markup), the subject and plain-text body do not (they are not
 * HTML). Strict mode turns a misspelt variable into an error at enqueue time instead of a blank.
 */
@Injectable()
export class EmailRenderer {
  private readonly cache = new Map<string, Compiled>();
  private engine: TemplateEngine | null = null;

  constructor(@Inject(EmailRepository) private readonly emails: EmailRepository) {}

  async render(templateKey: string, variables: Record<string, unknown>): Promise<RenderedEmail> {
    const template = await this.emails.findTemplate(templateKey);
    if (!template) throw new Error(`Unknown email template "${templateKey}"`);
    return this.renderTemplate(template, variables);
  }

  renderTemplate(template: EmailTemplate, variables: Record<string, unknown>): RenderedEmail {
    const missing = template.variables
      .filter((variable) => variable.required && (variables[variable.name] === undefined || variables[variable.name] === null))
      .map((variable) => variable.name);
    if (missing.length) {
      throw new TemplateVariablesError(`Email template "${template.key}" is missing variables: ${missing.join(', ')}`);
    }
    // Optional variables the template declares are present (as null) so strict mode accepts them.
    const context: Record<string, unknown> = { locale: 'en' };
    for (const variable of template.variables) context[variable.name] = null;
    Object.assign(context, variables);
    const engine = (this.engine ??= templateEngine());
    const compiled = this.compiled(engine, template);
    // A header cannot span lines: fold any line break a variable brought into the subject.
    const subject = compiled.subject(context).replace(/[\r\n]+/g, ' ').trim();
    const body = compiled.html(context);
    return {
      subject,
      html: engine.layout({ locale: context.locale, subject, body }),
      text: `${compiled.text(context).trimEnd()}\n${textFooter}`,
    };
  }

  private compiled({ handlebars }: TemplateEngine, template: EmailTemplate): Compiled {
    const cached = this.cache.get(template.key);
    if (cached && cached.updatedAt === template.updatedAt.getTime()) return cached;
    const fresh: Compiled = {
      updatedAt: template.updatedAt.getTime(),
      subject: handlebars.compile(template.subject, { strict: true, noEscape: true }),
      html: handlebars.compile(template.bodyHtml, { strict: true }),
      text: handlebars.compile(template.bodyText, { strict: true, noEscape: true }),
    };
    this.cache.set(template.key, fresh);
    return fresh;
  }
}
