/**
 * `npm run fake:google`: the fake on a fixed port with a demo account, for trying Calento by hand
 * (consent page in the browser, http webhooks allowed). FAKE_GOOGLE_PORT (default 4010),
 * FAKE_GOOGLE_HOST (default 127.0.0.1), FAKE_GOOGLE_REDIRECT_URI (default Calento's callback).
 */
import { DateTime } from 'luxon';
import { startFakeGoogle, type FakeGoogle } from './index.js';

export const DEMO = {
  clientId: 'calento-demo.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-calento-demo-secret',
  account: 'demo@example.com',
  secondClientId: 'acme-corp.apps.googleusercontent.com',
  secondClientSecret: 'GOCSPX-acme-corp-secret',
  secondAccount: 'acme.owner@example.com',
};

/** Two OAuth clients (one per Calento "client"), two accounts, calendars and a few events. */
export function seedDemo(fake: FakeGoogle, redirectUris: string[]): void {
  fake.registerOAuthClient({ clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, redirectUris, name: 'Calento (demo)' });
  fake.registerOAuthClient({ clientId: DEMO.secondClientId, clientSecret: DEMO.secondClientSecret, redirectUris, name: 'Acme Corp scheduling' });
  const zone = 'America/New_York';
  fake.createAccount(DEMO.account, { name: 'Demo User', timeZone: zone });
  fake.createAccount(DEMO.secondAccount, { name: 'Acme Owner', timeZone: 'Europe/Berlin' });
  const team = fake.createCalendar(DEMO.account, { summary: 'Team', timeZone: zone, colorId: '9' }).id;
  fake.createCalendar(DEMO.account, { summary: 'Holidays (read-only)', timeZone: zone, accessRole: 'reader' });
  const monday = DateTime.now().setZone(zone).startOf('week').plus({ hours: 9 });
  const at = (d: DateTime) => ({ dateTime: d.toISO({ suppressMilliseconds: true }), timeZone: zone });
  fake.seedEvents(DEMO.account, [
    { summary: 'Weekly planning', start: at(monday), end: at(monday.plus({ minutes: 45 })), recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=20'] },
    { summary: 'Dentist', start: at(monday.plus({ days: 2, hours: 5 })), end: at(monday.plus({ days: 2, hours: 6 })) },
    { summary: 'Conference', start: { date: monday.plus({ days: 3 }).toISODate() }, end: { date: monday.plus({ days: 5 }).toISODate() } },
    { summary: 'Focus time', transparency: 'transparent', start: at(monday.plus({ days: 1, hours: 4 })), end: at(monday.plus({ days: 1, hours: 6 })) },
  ]);
  fake.seedEvents(team, [
    { summary: 'Stand-up', start: at(monday.plus({ minutes: 60 })), end: at(monday.plus({ minutes: 75 })), recurrence: ['RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR'] },
  ]);
  const berlin = DateTime.now().setZone('Europe/Berlin').startOf('week').plus({ hours: 14 });
  fake.seedEvents(DEMO.secondAccount, [
    { summary: 'Acme board review', start: { dateTime: berlin.toISO({ suppressMilliseconds: true }), timeZone: 'Europe/Berlin' }, end: { dateTime: berlin.plus({ hours: 1 }).toISO({ suppressMilliseconds: true }), timeZone: 'Europe/Berlin' }, recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TH'] },
  ]);
}

async function main(): Promise<void> {
  const port = Number(process.env.FAKE_GOOGLE_PORT ?? 4010);
  const host = process.env.FAKE_GOOGLE_HOST ?? '127.0.0.1';
  const redirect = process.env.FAKE_GOOGLE_REDIRECT_URI ?? 'http://localhost:3000/api/v1/oauth/callback';
  const redirects = [...new Set([redirect, redirect.replace('//localhost:', '//127.0.0.1:')])];
  const fake = await startFakeGoogle({ port, host, allowHttpPush: true, consentMode: 'page', pushRetryBaseMs: 1000 });
  seedDemo(fake, redirects);
  const lines = [
    `Fake Google listening on ${fake.url}`,
    `  Calendar API root  ${fake.apiRootUrl}calendar/v3/`,
    `  OAuth consent      ${fake.oauthEndpoints.oauth2AuthBaseUrl} (page mode: choose an account, Allow/Deny)`,
    `  OAuth token        ${fake.oauthEndpoints.oauth2TokenUrl}`,
    `  Admin API          ${fake.url}/__admin (GET lists every route)`,
    '',
    'Environment for Calento:',
    `  GOOGLE_API_BASE_URL=${fake.env.GOOGLE_API_BASE_URL}`,
    `  GOOGLE_OAUTH_BASE_URL=${fake.env.GOOGLE_OAUTH_BASE_URL}`,
    `  GOOGLE_CLIENT_ID=${DEMO.clientId}`,
    `  GOOGLE_CLIENT_SECRET=${DEMO.clientSecret}`,
    '',
    `Demo accounts: ${DEMO.account} (primary, "Team", a read-only calendar), ${DEMO.secondAccount}`,
    `Second OAuth client (for a Calento client with its own credentials): ${DEMO.secondClientId} / ${DEMO.secondClientSecret}`,
    `Redirect URIs registered: ${redirects.join(', ')}`,
    'Push notifications may go to http:// addresses. Ctrl-C stops.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = async () => {
    await fake.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
