import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';

// The values that once passed and then failed quietly at run time: a browser app locked out by a CORS
// entry that can never match, no admin at all, links with a query string in their middle.
const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` };
const load = (env: Record<string, string>) => loadConfig({ ...base, ...env });

/** The message loadConfig stops with, which must name the variable. */
function refusal(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('CORS_ORIGINS', () => {
  it('takes *, or origins separated by commas, written as browsers send them', () => {
    expect(load({}).corsOrigins).toBe(true);
    expect(load({ CORS_ORIGINS: ' * ' }).corsOrigins).toBe(true);
    expect(load({ CORS_ORIGINS: 'https://App.Example.com, http://localhost:5173,https://b.example.com:443,http://[::1]:8080' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
      'https://b.example.com',
      'http://[::1]:8080',
    ]);
  });

  it.each([
    ['a trailing slash', 'https://app.example.com/'],
    ['a path', 'https://app.example.com/app'],
    ['a query', 'https://app.example.com?x=1'],
    ['no scheme', 'app.example.com'],
    ['another scheme', 'ftp://app.example.com'],
    ['a semicolon as separator', 'https://a.example.com;https://b.example.com'],
    ['a space as separator', 'https://a.example.com https://b.example.com'],
    ['credentials', 'https://user@app.example.com'],
    ['a port past 65535', 'http://localhost:70000'],
    ['* among origins', '*,https://app.example.com'],
  ])('refuses %s', (_, value) => {
    expect(refusal({ CORS_ORIGINS: `http://ok.example.com,${value}` })).toMatch(/^Invalid configuration: CORS_ORIGINS must be \*/);
  });

  it('names the entry that is not an origin', () => {
    expect(refusal({ CORS_ORIGINS: 'https://ok.example.com, https://app.example.com/' })).toContain('"https://app.example.com/" is not one');
  });
});

describe('MAIL_FROM', () => {
  it('takes an address, or a name and an address', () => {
    for (const value of ['no-reply@calento.test', 'Calento <no-reply@calento.test>', '"Acme, Inc." <calendar@acme.example>', 'Ünïcode Näme <a@b.example>']) {
      expect(load({ MAIL_FROM: value }).mailFrom).toBe(value);
    }
    expect(load({}).mailFrom).toBe('Calento <no-reply@calento.local>');
  });

  it.each(['not an address', 'Calento', 'Calento <not an address>', 'Calento no-reply@calento.test', 'Acme, Inc. <a@b.example>', 'a@b.example, c@d.example'])(
    'refuses %j',
    (value) => {
      expect(refusal({ MAIL_FROM: value })).toMatch(/^Invalid configuration: MAIL_FROM must be an email address or Name <address>/);
    },
  );
});

describe('ADMIN_EMAILS', () => {
  it('takes emails separated by commas, stored the way users emails are compared', () => {
    expect(load({ ADMIN_EMAILS: ' Ops@Example.com,, ame\u0301lie@example.com ' }).adminEmails).toEqual(['ops@example.com', 'am\u00e9lie@example.com']);
    expect(load({}).adminEmails).toEqual([]);
  });

  it('refuses anything but emails, another separator included', () => {
    expect(refusal({ ADMIN_EMAILS: 'a@b.example;c@d.example' })).toBe(
      'Invalid configuration: ADMIN_EMAILS must be email addresses separated by commas; "a@b.example;c@d.example" is not one',
    );
    expect(refusal({ ADMIN_EMAILS: 'a@b.example, admin' })).toMatch(/ADMIN_EMAILS .*"admin" is not one/);
  });
});

describe('URLs that links are built on', () => {
  it('keeps a path and drops trailing slashes', () => {
    const config = load({ APP_BASE_URL: 'https://example.com/calento/', FRONTEND_URL: 'https://web.example.com/calendar/', SLACK_API_URL: 'http://127.0.0.1:4020/api' });
    expect(config).toMatchObject({ appBaseUrl: 'https://example.com/calento', frontendUrl: 'https://web.example.com/calendar' });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:4020/api/');
    expect(config.google.pushUrl).toBe('https://example.com/calento/api/v1/webhooks/google');
    expect(load({ APP_BASE_URL: 'https://example.com/' }).frontendUrl).toBe('https://example.com/app');
    expect(load({}).slack.apiUrl).toBe('https://slack.com/api/');
  });

  it.each(['APP_BASE_URL', 'FRONTEND_URL', 'SLACK_API_URL'])('refuses a query string or a fragment in %s', (name) => {
    for (const value of ['http://x.example/path?q=1', 'http://x.example/#h', 'http://x.example/?']) {
      expect(refusal({ [name]: value })).toBe(`Invalid configuration: ${name} must not have a query string or fragment (paths are appended to it), got "${value}"`);
    }
  });

  it('keeps a query string in GOOGLE_PUSH_URL, which Google posts to as it is, and refuses a fragment', () => {
    expect(load({ GOOGLE_PUSH_URL: 'https://hooks.example.com/google?via=proxy' }).google.pushUrl).toBe('https://hooks.example.com/google?via=proxy');
    expect(refusal({ GOOGLE_PUSH_URL: 'https://hooks.example.com/google#x' })).toMatch(/^Invalid configuration: GOOGLE_PUSH_URL must not have a fragment/);
  });
});

describe('SLACK_SIGNING_SECRET', () => {
  it("takes Slack's 32 hex characters, or any 16 or more printable ones", () => {
    expect(load({ SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5' }).slack.signingSecret).toBe('8f742231b10e8888abcd99yyyzzz85a5');
    expect(load({ SLACK_SIGNING_SECRET: 'x'.repeat(16) }).slack.signingSecret).toBe('x'.repeat(16));
    expect(load({}).slack.signingSecret).toBeNull();
  });

  it.each([' ', 'x', 'x'.repeat(15), `${'x'.repeat(16)} `, `${'x'.repeat(8)} ${'x'.repeat(8)}`])('refuses %j', (value) => {
    expect(refusal({ SLACK_SIGNING_SECRET: value })).toMatch(/^Invalid configuration: SLACK_SIGNING_SECRET must be 16-256 printable characters/);
  });
});
