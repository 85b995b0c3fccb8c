import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { eventually } from './wait.js';

/**
 * A message in a development mailbox folder (MAILBOX_DIR) to `to` whose subject matches and that `accept`
 * takes (files are named by email id, so their order says nothing: pick by content).
 */
export async function mailboxMessage(
  dir: string,
  to: string,
  subject: string,
  accept: (mail: ParsedMail) => boolean = () => true,
): Promise<ParsedMail> {
  return eventually(async () => {
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      return undefined; // The folder appears with the first message.
    }
    for (const file of files) {
      const mail = await simpleParser(readFileSync(join(dir, file)));
      const recipients = [mail.to ?? []].flat().flatMap((address) => address.value.map((entry) => entry.address));
      if (recipients.includes(to) && mail.subject === subject && accept(mail)) return mail;
    }
    return undefined;
  });
}

/** The password reset link of a reset email (its text part). */
export function resetLinkOf(mail: ParsedMail): URL {
  const link = /(https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_%-]+)/.exec(mail.text ?? '')?.[1];
  if (!link) throw new Error(`no reset link in:\n${mail.text}`);
  return new URL(link);
}
