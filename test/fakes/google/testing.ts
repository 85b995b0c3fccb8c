import http from 'node:http';
import type { AddressInfo } from 'node:net';
// Calendar v3 and the OAuth2 client alone: the package root brings every Google API (and 177 MB of type
// declarations into the type check and ts-jest's program).
import * as google from 'googleapis/build/src/apis/calendar/index.js';
import type { calendar_v3 } from 'googleapis/build/src/apis/calendar/index.js';
import type { FakeGoogle } from './fake-google.js';
import type { OAuthClient } from './state/types.js';

/** The real googleapis OAuth2 client, pointed at the fake through `endpoints` (never mocked). */
export function oauth2For(fake: FakeGoogle, client: OAuthClient, redirectUri = client.redirectUris[0]) {
  return new google.auth.OAuth2({ clientId: client.clientId, clientSecret: client.clientSecret, redirectUri, endpoints: fake.oauthEndpoints });
}

/** The real Calendar v3 client on the fake (`rootUrl`), authorised with the given credentials. */
export function calendarFor(fake: FakeGoogle, client: OAuthClient, credentials: { access_token?: string; refresh_token?: string; expiry_date?: number }) {
  const auth = oauth2For(fake, client);
  auth.setCredentials(credentials);
  return { auth, calendar: google.calendar({ version: 'v3', auth, rootUrl: fake.apiRootUrl }) as calendar_v3.Calendar };
}

export interface ReceivedPush {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver on 127.0.0.1 that records Google's push POSTs and answers with `status()`. */
export async function startPushReceiver(): Promise<{
  url: string;
  received: ReceivedPush[];
  status: (push: ReceivedPush) => number;
  close: () => Promise<void>;
}> {
  const receiver = {
    url: '',
    received: [] as ReceivedPush[],
    status: (() => 200) as (push: ReceivedPush) => number,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const push = { headers: req.headers, body, at: Date.now() };
      receiver.received.push(push);
      res.writeHead(receiver.status(push));
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/google`;
  receiver.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}
