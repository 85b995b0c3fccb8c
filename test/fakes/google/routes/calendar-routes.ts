import { listCalendarList, renderCalendar, renderListEntry } from '../calendar/calendar-list.js';
import { listEvents, listInstances } from '../calendar/event-list.js';
import { renderEvent } from '../calendar/event-render.js';
import { queryFreeBusy } from '../calendar/freebusy.js';
import { isValidZone } from '../calendar/time.js';
import { json, jsonBody, noContent, route, type Ctx, type Deps, type Reply, type Route } from '../context.js';
import { apiErrors } from '../errors.js';
import type { Channel, WatchTarget } from '../push/push-hub.js';
import { roleRank } from '../state/types.js';

const S = 'https://www.googleapis.com/auth/calendar';
export const SCOPES = {
  calendar: S,
  readonly: `${S}.readonly`,
  events: `${S}.events`,
  eventsReadonly: `${S}.events.readonly`,
  eventsOwned: `${S}.events.owned`,
  calendarList: `${S}.calendarlist`,
  calendarListReadonly: `${S}.calendarlist.readonly`,
  freebusy: `${S}.freebusy`,
  eventsFreebusy: `${S}.events.freebusy`,
} as const;

const READ_EVENTS = [SCOPES.calendar, SCOPES.readonly, SCOPES.events, SCOPES.eventsReadonly, SCOPES.eventsOwned];
const WRITE_EVENTS = [SCOPES.calendar, SCOPES.events, SCOPES.eventsOwned];
const READ_LIST = [SCOPES.calendar, SCOPES.readonly, SCOPES.calendarList, SCOPES.calendarListReadonly];
const FREEBUSY = [SCOPES.calendar, SCOPES.readonly, SCOPES.events, SCOPES.eventsReadonly, SCOPES.freebusy, SCOPES.eventsFreebusy];
const ANY = [...new Set([...READ_EVENTS, ...READ_LIST, ...FREEBUSY])];

const V3 = '/calendar/v3';

/** The Calendar v3 routes, under /calendar/v3 as googleapis builds them from `rootUrl`. */
export function calendarRoutes(deps: Deps): Route[] {
  const { store, ops, push } = deps;
  const who = (ctx: Ctx) => ctx.auth!;
  const calendar = (ctx: Ctx) => store.calendarFor(who(ctx).email, ctx.params.calendarId);
  const zoneOf = (ctx: Ctx, fallback: string) => {
    const zone = ctx.query.get('timeZone');
    if (zone && !isValidZone(zone)) throw apiErrors.invalid('Invalid time zone.', 'timeZone');
    return zone || fallback;
  };
  const eventReply = (ctx: Ctx, ev: Parameters<typeof renderEvent>[0], status = 200): Reply => {
    const { cal, role } = calendar(ctx);
    const mode = roleRank(role) < roleRank('reader') ? 'busy' : 'full';
    return json(status, renderEvent(ev, { cal, viewer: who(ctx).email, zone: zoneOf(ctx, cal.timeZone) }, mode), { etag: ev.etag });
  };
  const ifMatch = (ctx: Ctx) => ctx.headers['if-match'] as string | undefined;
  /**
   * Google ignores `attachments` in a write unless the request says supportsAttachments=true: an insert
   * gets none, a change keeps the ones the event had.
   */
  const withAttachmentRule = (ctx: Ctx, body: Record<string, unknown>, current?: () => Record<string, unknown>): Record<string, unknown> => {
    if (ctx.query.get('supportsAttachments') === 'true' || !body || typeof body !== 'object' || Array.isArray(body)) return body;
    const { attachments: _ignored, ...rest } = body;
    if (!current) return rest;
    const kept = current().attachments;
    return kept === undefined ? rest : { ...rest, attachments: kept };
  };
  const watchReply = (channel: Channel): Reply => {
    const body: Record<string, unknown> = {
      kind: 'api#channel',
      id: channel.id,
      resourceId: channel.resourceId,
      resourceUri: channel.resourceUri,
    };
    if (channel.token !== undefined) body.token = channel.token;
    body.expiration = String(channel.expiration);
    return json(200, body);
  };
  const watch = async (ctx: Ctx, target: WatchTarget): Promise<Reply> => {
    const auth = who(ctx);
    const channel = push.watch(auth.email, auth.clientId, target, jsonBody(ctx));
    if (push.faults.syncBeforeWatchResponse) {
      await push.sendSync(channel);
      return watchReply(channel);
    }
    return { ...watchReply(channel), after: () => void push.sendSync(channel) };
  };

  return [
    route('GET', `${V3}/users/me/calendarList`, 'api', (ctx) => json(200, listCalendarList(store, store.account(who(ctx).email)!, ctx.query)), READ_LIST),
    route('POST', `${V3}/users/me/calendarList/watch`, 'api', (ctx) => watch(ctx, { kind: 'calendarList', email: who(ctx).email }), READ_LIST),
    route('GET', `${V3}/users/me/calendarList/:calendarId`, 'api', (ctx) => {
      const state = store.account(who(ctx).email)!;
      const id = ctx.params.calendarId === 'primary' ? state.account.email : ctx.params.calendarId;
      const entry = state.list.get(id);
      const cal = store.calendars.get(id);
      if (!entry || entry.deleted || !cal?.acl.get(state.account.email)) throw apiErrors.notFound();
      return json(200, renderListEntry(state, entry, cal));
    }, READ_LIST),
    route('GET', `${V3}/calendars/:calendarId`, 'api', (ctx) => json(200, renderCalendar(calendar(ctx).cal)), ANY),

    route('GET', `${V3}/calendars/:calendarId/events`, 'api', (ctx) => {
      const { cal, role } = calendar(ctx);
      return json(200, listEvents(store, cal, role, who(ctx).email, ctx.query));
    }, READ_EVENTS),
    route('POST', `${V3}/calendars/:calendarId/events/watch`, 'api', (ctx) => {
      const { cal, role } = calendar(ctx);
      store.requireRole(role, 'reader');
      return watch(ctx, { kind: 'events', calendarId: cal.id });
    }, READ_EVENTS),
    route('POST', `${V3}/calendars/:calendarId/events`, 'api', (ctx) => {
      const { cal, role } = calendar(ctx);
      store.requireRole(role, 'writer');
      return eventReply(ctx, ops.insert(cal, withAttachmentRule(ctx, jsonBody(ctx)), who(ctx).email));
    }, WRITE_EVENTS),
    route('GET', `${V3}/calendars/:calendarId/events/:eventId`, 'api', (ctx) => {
      const { cal, role } = calendar(ctx);
      const ev = ops.get(cal, ctx.params.eventId);
      if (roleRank(role) < roleRank('reader') && ev.status === 'cancelled') throw apiErrors.notFound();
      const inm = ctx.headers['if-none-match'];
      if (inm && inm.split(',').map((s) => s.trim()).includes(ev.etag)) return { status: 304, headers: { etag: ev.etag } };
      return eventReply(ctx, ev);
    }, READ_EVENTS),
    route('PUT', `${V3}/calendars/:calendarId/events/:eventId`, 'api', (ctx) => {
      const { cal, role } = calendar(ctx);
      store.requireRole(role, 'writer');
      const body = withAttachmentRule(ctx, jsonBody(ctx), () => {
        const found = ops.resolve(cal, ctx.params.eventId);
        return found ? (found.kind === 'stored' ? found.ev : found.view).fields : {};
      });
      return eventReply(ctx, ops.update(cal, ctx.params.eventId, body, { ifMatch: ifMatch(ctx) }));
    }, WRITE_EVENTS),
    route('PATCH', `${V3}/calendars/:calendarId/events/:eventId`, 'api', (ctx) => {
      const { cal, role } = calendar(ctx);
      store.requireRole(role, 'writer');
      return eventReply(ctx, ops.patch(cal, ctx.params.eventId, withAttachmentRule(ctx, jsonBody(ctx)), { ifMatch: ifMatch(ctx) }));
    }, WRITE_EVENTS),
    route('DELETE', `${V3}/calendars/:calendarId/events/:eventId`, 'api', (ctx) => {
      const { cal, role } = calendar(ctx);
      store.requireRole(role, 'writer');
      ops.delete(cal, ctx.params.eventId, { ifMatch: ifMatch(ctx) });
      return noContent();
    }, WRITE_EVENTS),
    route('GET', `${V3}/calendars/:calendarId/events/:eventId/instances`, 'api', (ctx) => {
      const { cal, role } = calendar(ctx);
      return json(200, listInstances(store, cal, role, who(ctx).email, ctx.params.eventId, ctx.query));
    }, READ_EVENTS),

    route('POST', `${V3}/channels/stop`, 'api', (ctx) => {
      push.stop(who(ctx).email, who(ctx).clientId, jsonBody(ctx));
      return noContent();
    }, ANY),
    route('POST', `${V3}/freeBusy`, 'api', (ctx) => json(200, queryFreeBusy(store, who(ctx).email, jsonBody(ctx))), FREEBUSY),
  ];
}
