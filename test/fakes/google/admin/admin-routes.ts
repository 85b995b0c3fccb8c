import { json, jsonBody, noContent, route, type Ctx, type Reply, type Route } from '../context.js';
import type { Fault, FaultSpec, RateLimit } from '../faults.js';
import type { FakeGoogle } from '../fake-google.js';
import type { AccessRole } from '../state/types.js';

// Admin bodies are loosely typed on purpose: each helper validates what it uses.
type Body = Record<string, any>;

const A = '/__admin';

/**
 * The admin API over HTTP, for the standalone fake (npm run fake:google) and for tests in another
 * process. Each route calls the FakeGoogle helper of the same name; errors answer 400 {error}.
 */
export function adminRoutes(fake: FakeGoogle): Route[] {
  const b = (ctx: Ctx): Body => jsonBody(ctx);
  const p = (ctx: Ctx) => ctx.params;
  const ok = (body: unknown = { ok: true }): Reply => json(200, body);
  const routes: [string, string, (ctx: Ctx) => Reply | Promise<Reply>, string][] = [
    ['GET', '', () => ok({ routes: index }), 'this list'],
    ['GET', '/state', () => ok(summary(fake)), 'OAuth clients, accounts and their calendars with event counts'],
    ['POST', '/oauth-clients', (ctx) => ok(fake.registerOAuthClient(b(ctx) as never)), '{clientId?, clientSecret?, redirectUris, name?} → client'],
    ['POST', '/accounts', (ctx) => ok(fake.createAccount(b(ctx).email, b(ctx))), '{email, name?, timeZone?} → {email, primaryCalendarId}'],
    ['POST', '/accounts/:email/calendars', (ctx) => ok(fake.createCalendar(p(ctx).email, b(ctx))), '{id?, summary, timeZone?, accessRole?, backgroundColor?, colorId?, hidden?, selected?, summaryOverride?} → {id}'],
    ['PUT', '/accounts/:email/calendars/:calendarId', (ctx) => {
      const body = b(ctx);
      if (body.accessRole) fake.shareCalendar(p(ctx).calendarId, p(ctx).email, body.accessRole as AccessRole, body);
      const { accessRole: _role, ...display } = body;
      if (Object.keys(display).length > 0) fake.updateCalendarListEntry(p(ctx).email, p(ctx).calendarId, display);
      return ok();
    }, '{accessRole?, hidden?, selected?, summaryOverride?, backgroundColor?, colorId?}: share / change role / change the list entry'],
    ['DELETE', '/accounts/:email/calendars/:calendarId', (ctx) => (fake.unshareCalendar(p(ctx).email, p(ctx).calendarId), noContent()), 'the account loses the calendar'],
    ['PATCH', '/calendars/:calendarId', (ctx) => (fake.updateCalendar(p(ctx).calendarId, b(ctx)), ok()), '{summary?, description?, timeZone?}'],
    ['DELETE', '/calendars/:calendarId', (ctx) => (fake.deleteCalendar(p(ctx).calendarId), noContent()), 'delete a calendar'],
    ['POST', '/calendars/:calendarId/seed', (ctx) => ok({ ids: fake.seedEvents(p(ctx).calendarId, b(ctx).events ?? []) }), '{events: [event bodies]} → {ids}'],
    ['GET', '/calendars/:calendarId/events', (ctx) => ok({ items: fake.events(p(ctx).calendarId, { includeCancelled: ctx.query.get('includeCancelled') === 'true' }) }), 'stored rows (?includeCancelled=true)'],
    ['POST', '/calendars/:calendarId/events', (ctx) => ok(fake.createEvent(p(ctx).calendarId, b(ctx))), 'remote create'],
    ['GET', '/calendars/:calendarId/events/:eventId', (ctx) => {
      const ev = fake.getEvent(p(ctx).calendarId, p(ctx).eventId);
      return ev ? ok(ev) : json(404, { error: 'not found' });
    }, 'the event (or instance) as stored'],
    ['PATCH', '/calendars/:calendarId/events/:eventId', (ctx) => ok(fake.updateEvent(p(ctx).calendarId, p(ctx).eventId, b(ctx))), 'remote patch (instance ids make exceptions)'],
    ['PUT', '/calendars/:calendarId/events/:eventId', (ctx) => ok(fake.replaceEvent(p(ctx).calendarId, p(ctx).eventId, b(ctx))), 'remote replace'],
    ['DELETE', '/calendars/:calendarId/events/:eventId', (ctx) => (fake.deleteEvent(p(ctx).calendarId, p(ctx).eventId), noContent()), 'remote delete'],
    ['POST', '/calendars/:calendarId/events/:eventId/move-instance', (ctx) => ok(fake.moveInstance(p(ctx).calendarId, p(ctx).eventId, b(ctx).originalStart, b(ctx) as never)), '{originalStart, start, end}'],
    ['POST', '/calendars/:calendarId/events/:eventId/cancel-instance', (ctx) => (fake.cancelInstance(p(ctx).calendarId, p(ctx).eventId, b(ctx).originalStart), ok()), '{originalStart}'],
    ['POST', '/calendars/:calendarId/events/:eventId/split', (ctx) => ok(fake.splitSeries(p(ctx).calendarId, p(ctx).eventId, b(ctx).originalStart, b(ctx).changes)), '{originalStart, changes?} → {master, newSeries}'],
    ['GET', '/clock', () => ok({ now: fake.now().toISOString() }), 'the fake clock'],
    ['POST', '/clock/advance', (ctx) => ok({ now: fake.advanceClock(b(ctx)).toISOString() }), '{ms?, seconds?, minutes?, hours?, days?}'],
    ['POST', '/clock/set', (ctx) => ok({ now: fake.setClock(b(ctx).now).toISOString() }), '{now}'],
    ['POST', '/tokens', (ctx) => ok(fake.issueTokens(b(ctx).email, b(ctx).clientId, b(ctx).scopes)), '{email, clientId, scopes?} → tokens as after consent'],
    ['POST', '/tokens/expire', (ctx) => ok({ expired: fake.expireAccessTokens(b(ctx)) }), '{email?, clientId?}'],
    ['POST', '/grants/revoke', (ctx) => ok({ revoked: fake.revokeGrant(b(ctx).email, b(ctx).clientId) }), '{email, clientId?}'],
    ['POST', '/sync-tokens/invalidate', (ctx) => (fake.invalidateSyncTokens(b(ctx)), ok()), '{calendarId?, email?} (neither: all)'],
    ['GET', '/faults', () => ok({ faults: fake.faults().map(faultJson) }), 'active faults (remaining -1 = unlimited)'],
    ['POST', '/faults', (ctx) => ok(faultJson(fake.injectFault(faultFrom(b(ctx))))), '{path, regex?, method?, account?, times? (-1 = always), status?, reason?, message?, domain?, headers?, dropConnection?, delayMs?, delayReplyMs?}'],
    ['DELETE', '/faults', () => (fake.clearFaults(), noContent()), 'remove all faults'],
    ['PUT', '/rate-limits/:email', (ctx) => (fake.setRateLimit(p(ctx).email, b(ctx) as RateLimit), ok()), '{limit, windowMs, status?, reason?}'],
    ['DELETE', '/rate-limits/:email', (ctx) => (fake.clearRateLimit(p(ctx).email), noContent()), 'remove the limit'],
    ['PUT', '/list-settings', (ctx) => ok(fake.setListSettings(b(ctx))), '{pageSizeCap?, expansionHorizonDays?, updatedMinMaxAgeDays?}'],
    ['GET', '/consent', () => ok(fake.setConsent({})), 'consent settings'],
    ['PUT', '/consent', (ctx) => ok(fake.setConsent(b(ctx))), '{mode?: auto|page, account?, decision?: allow|deny}'],
    ['GET', '/push/channels', () => ok({ channels: fake.channels() }), 'watch channels'],
    ['GET', '/push/deliveries', () => ok({ deliveries: fake.pushDeliveries() }), 'every delivery attempt'],
    ['PUT', '/push/faults', (ctx) => ok(fake.setPushFaults(b(ctx))), '{dropRate?, dropNext?, duplicateRate?, duplicateNext?, reorderWindow?, delayMs?, paused?, syncBeforeWatchResponse?}'],
    ['POST', '/push/flush', () => (fake.flushPush(), ok()), 'deliver held messages'],
    ['GET', '/requests', (ctx) => ok({ requests: fake.requests({ method: ctx.query.get('method') ?? undefined, path: ctx.query.get('path') ?? undefined, account: ctx.query.get('account') ?? undefined }) }), '?method=&path=(substring)&account='],
    ['DELETE', '/requests', () => (fake.clearRequests(), noContent()), 'clear the request log'],
  ];
  const index = routes.map(([method, path, , doc]) => `${method} ${A}${path}  ${doc}`);
  return routes.map(([method, path, handler]) => route(method, `${A}${path}`, 'admin', handler));
}

const faultJson = (f: Fault) => ({
  ...f,
  path: String(f.path),
  times: f.times === Infinity ? -1 : f.times,
  remaining: f.remaining === Infinity ? -1 : f.remaining,
});

function faultFrom(body: Body): FaultSpec {
  const { regex, times, ...rest } = body;
  return {
    ...rest,
    path: regex ? new RegExp(String(body.path)) : String(body.path),
    times: times === -1 || times === 'Infinity' ? Infinity : times,
  } as FaultSpec;
}

function summary(fake: FakeGoogle): unknown {
  const { store } = fake;
  return {
    now: fake.now().toISOString(),
    oauthClients: [...store.clients.values()].map((c) => ({ clientId: c.clientId, name: c.name, redirectUris: c.redirectUris })),
    accounts: [...store.accounts.values()].map((s) => ({
      email: s.account.email,
      calendars: [...s.list.values()].filter((e) => !e.deleted).map((e) => {
        const cal = store.calendars.get(e.calendarId);
        return { id: e.calendarId, summary: cal?.summary, accessRole: cal?.acl.get(s.account.email), timeZone: cal?.timeZone, events: cal?.events.size ?? 0 };
      }),
    })),
  };
}
