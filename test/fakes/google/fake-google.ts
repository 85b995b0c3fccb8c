import { EventOps } from './calendar/event-ops.js';
import { renderEvent } from './calendar/event-render.js';
import { FakeClock } from './clock.js';
import type { Deps } from './context.js';
import { FaultInjector, RateLimiter, type Fault, type FaultSpec, type LoggedRequest, type RateLimit } from './faults.js';
import { instanceIdOf, ownerOf, splitSeries } from './admin/remote-edits.js';
import { OAuthService, type ConsentSettings, type TokenResponse } from './oauth/oauth-service.js';
import { oauthRoutes } from './oauth/oauth-routes.js';
import { PushHub, type Channel, type DeliveryRecord, type PushFaults } from './push/push-hub.js';
import { calendarRoutes, SCOPES } from './routes/calendar-routes.js';
import { adminRoutes } from './admin/admin-routes.js';
import { FakeHttpServer } from './server.js';
import { seededRandom } from './state/ids.js';
import { Store, type CalendarSpec, type ListSettings } from './state/store.js';
import type { AccessRole, OAuthClient } from './state/types.js';

export interface FakeGoogleOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Accept http:// webhook addresses (Google only takes https). Default false. */
  allowHttpPush?: boolean;
  /** auto (default): /auth redirects at once; page: an HTML account chooser with Allow/Deny. */
  consentMode?: ConsentSettings['mode'];
  accessTokenTtlSeconds?: number;
  /** First push retry after this many real ms, doubling (default 1000). */
  pushRetryBaseMs?: number;
  /** Attempts per push message, the first included (default 5). */
  pushMaxAttempts?: number;
  /** Longest channel life (default 30 days). */
  channelMaxTtlSeconds?: number;
  /** Seed of the PRNG behind message-number gaps and drop/duplicate rates. */
  seed?: number;
  /** Entries kept in the request log (default 20,000). */
  requestLogLimit?: number;
  /** Also log /__admin requests. */
  logAdminRequests?: boolean;
}

export type EventResource = Record<string, unknown> & { id: string; etag: string; status: string };
export type Duration = number | { ms?: number; seconds?: number; minutes?: number; hours?: number; days?: number };

export const ALL_CALENDAR_SCOPES = [SCOPES.calendar];

const toMs = (d: Duration): number =>
  typeof d === 'number' ? d : (d.ms ?? 0) + (d.seconds ?? 0) * 1e3 + (d.minutes ?? 0) * 6e4 + (d.hours ?? 0) * 3.6e6 + (d.days ?? 0) * 8.64e7;

/** A running fake: its URLs, and the typed admin helpers (the same operations as /__admin over HTTP). */
export class FakeGoogle {
  url = '';
  port = 0;
  readonly clock = new FakeClock();
  readonly store = new Store(this.clock);
  readonly ops = new EventOps(this.store);
  readonly faultInjector = new FaultInjector();
  readonly limiter = new RateLimiter();
  readonly oauth: OAuthService;
  readonly push: PushHub;
  private readonly http: FakeHttpServer;

  constructor(readonly options: FakeGoogleOptions = {}) {
    const random = seededRandom(options.seed ?? 20240310);
    this.oauth = new OAuthService(this.store, options.accessTokenTtlSeconds ?? 3600, 'https://accounts.google.com');
    this.oauth.consent.mode = options.consentMode ?? 'auto';
    this.push = new PushHub(this.clock, {
      allowHttpPush: options.allowHttpPush ?? false,
      retryBaseMs: options.pushRetryBaseMs ?? 1000,
      maxAttempts: options.pushMaxAttempts ?? 5,
      maxTtlSeconds: options.channelMaxTtlSeconds ?? 30 * 86_400,
      random,
      apiBaseUrl: () => this.url,
    });
    this.store.onChange((change) => this.push.onChange(change));
    const deps: Deps = {
      store: this.store, clock: this.clock, ops: this.ops, push: this.push, oauth: this.oauth,
      faults: this.faultInjector, limiter: this.limiter, baseUrl: () => this.url,
    };
    this.http = new FakeHttpServer(deps, { logLimit: options.requestLogLimit ?? 20_000, logAdmin: options.logAdminRequests ?? false });
    this.http.add(...calendarRoutes(deps), ...oauthRoutes(deps), ...adminRoutes(this));
  }

  async start(): Promise<this> {
    const host = this.options.host ?? '127.0.0.1';
    this.port = await this.http.listen(this.options.port ?? 0, host);
    this.url = `http://${host}:${this.port}`;
    return this;
  }

  async close(): Promise<void> {
    this.push.close();
    await this.http.close();
  }

  /** `rootUrl` for google.calendar({ version: 'v3', rootUrl }). */
  get apiRootUrl(): string {
    return `${this.url}/`;
  }

  /** `endpoints` for new google.auth.OAuth2({ clientId, clientSecret, redirectUri, endpoints }). */
  get oauthEndpoints(): { oauth2AuthBaseUrl: string; oauth2TokenUrl: string; oauth2RevokeUrl: string; tokenInfoUrl: string } {
    return {
      oauth2AuthBaseUrl: `${this.url}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${this.url}/token`,
      oauth2RevokeUrl: `${this.url}/revoke`,
      tokenInfoUrl: `${this.url}/tokeninfo`,
    };
  }

  /** The environment Calento needs to talk to this fake instead of Google. */
  get env(): Record<string, string> {
    return { GOOGLE_API_BASE_URL: this.apiRootUrl, GOOGLE_OAUTH_BASE_URL: this.url };
  }

  // ---- OAuth clients, accounts, calendars ---------------------------------------------------

  registerOAuthClient(spec: { clientId?: string; clientSecret?: string; redirectUris: string[]; name?: string }): OAuthClient {
    return { ...this.oauth.registerClient(spec) };
  }

  /** A Google account with its primary calendar (id = the email). */
  createAccount(email: string, options: { name?: string; timeZone?: string } = {}): { email: string; primaryCalendarId: string } {
    const state = this.store.createAccount(email, options.name, options.timeZone ?? 'UTC');
    this.store.emit({ kind: 'calendarList', email: state.account.email });
    return { email: state.account.email, primaryCalendarId: state.account.email };
  }

  /** A secondary calendar in the account's list; accessRole other than owner simulates a calendar shared with it. */
  createCalendar(email: string, spec: CalendarSpec = {}): { id: string } {
    const cal = this.store.createCalendar(email, spec);
    this.store.emit({ kind: 'calendarList', email: email.toLowerCase() });
    return { id: cal.id };
  }

  /** Gives another account access (and a calendarList entry). */
  shareCalendar(calendarId: string, email: string, accessRole: AccessRole, display: CalendarSpec = {}): void {
    this.store.share(this.store.requireCalendar(calendarId), email, accessRole, display);
    this.store.emit({ kind: 'calendarList', email: email.toLowerCase() });
  }

  /** Changes an account's role on a calendar; like Google, this invalidates the calendar's sync tokens. */
  setAccessRole(email: string, calendarId: string, accessRole: AccessRole): void {
    this.shareCalendar(calendarId, email, accessRole);
  }

  updateCalendarListEntry(email: string, calendarId: string, changes: { hidden?: boolean; selected?: boolean; summaryOverride?: string; backgroundColor?: string; colorId?: string }): void {
    const entry = this.store.requireAccount(email).list.get(calendarId);
    if (!entry) throw new Error(`fake Google: ${calendarId} is not in ${email}'s list`);
    Object.assign(entry, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    this.store.touchListEntry(entry);
    this.store.emit({ kind: 'calendarList', email: email.toLowerCase() });
  }

  /** The account loses access; its list entry becomes deleted. */
  unshareCalendar(email: string, calendarId: string): void {
    const cal = this.store.requireCalendar(calendarId);
    const state = this.store.requireAccount(email);
    cal.acl.delete(state.account.email);
    cal.epoch++;
    const entry = state.list.get(calendarId);
    if (entry) {
      entry.deleted = true;
      this.store.touchListEntry(entry);
    }
    this.store.emit({ kind: 'calendarList', email: state.account.email });
  }

  deleteCalendar(calendarId: string): void {
    const cal = this.store.requireCalendar(calendarId);
    for (const email of [...cal.acl.keys()]) this.unshareCalendar(email, calendarId);
    this.store.calendars.delete(calendarId);
  }

  updateCalendar(calendarId: string, changes: { summary?: string; description?: string; timeZone?: string }): void {
    const cal = this.store.requireCalendar(calendarId);
    Object.assign(cal, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    for (const email of cal.acl.keys()) {
      const entry = this.store.account(email)?.list.get(calendarId);
      if (entry) this.store.touchListEntry(entry);
      this.store.emit({ kind: 'calendarList', email });
    }
  }

  // ---- events: seeding and "remote" edits (as Google's own UI makes them) --------------------

  /** Bulk insert (API insert semantics, client-chosen ids allowed); one push notification in all. */
  seedEvents(calendarId: string, events: Record<string, unknown>[]): string[] {
    const cal = this.store.requireCalendar(calendarId);
    const actor = ownerOf(cal);
    const ids = events.map((body) => this.ops.insert(cal, body, actor, { notify: false, trustedId: true }).id);
    this.store.emit({ kind: 'events', calendarId: cal.id });
    return ids;
  }

  createEvent(calendarId: string, body: Record<string, unknown>): EventResource {
    const cal = this.store.requireCalendar(calendarId);
    return this.render(calendarId, this.ops.insert(cal, body, ownerOf(cal), { trustedId: true }));
  }

  /** Patch semantics; an instance id (see instanceId) makes or changes that instance's exception. */
  updateEvent(calendarId: string, eventId: string, patch: Record<string, unknown>): EventResource {
    return this.render(calendarId, this.ops.patch(this.store.requireCalendar(calendarId), eventId, patch));
  }

  replaceEvent(calendarId: string, eventId: string, body: Record<string, unknown>): EventResource {
    return this.render(calendarId, this.ops.update(this.store.requireCalendar(calendarId), eventId, body));
  }

  deleteEvent(calendarId: string, eventId: string): void {
    this.ops.delete(this.store.requireCalendar(calendarId), eventId);
  }

  /** Moves one instance of a series (creates its exception). originalStart: RFC3339 or a date. */
  moveInstance(calendarId: string, masterId: string, originalStart: string | Date, times: { start: Record<string, unknown>; end: Record<string, unknown> }): EventResource {
    return this.updateEvent(calendarId, instanceIdOf(masterId, originalStart), times);
  }

  cancelInstance(calendarId: string, masterId: string, originalStart: string | Date): void {
    this.deleteEvent(calendarId, instanceIdOf(masterId, originalStart));
  }

  /** "This and following events": trims the series and starts a new one at that instance. */
  splitSeries(calendarId: string, masterId: string, originalStart: string | Date, changes: Record<string, unknown> = {}): { master: EventResource; newSeries: EventResource } {
    const { master, newSeries } = splitSeries(this.ops, this.store.requireCalendar(calendarId), masterId, originalStart, changes);
    return { master: this.render(calendarId, master), newSeries: this.render(calendarId, newSeries) };
  }

  /** The event as its owner would GET it (cancelled ones included), or undefined. */
  getEvent(calendarId: string, eventId: string): EventResource | undefined {
    const cal = this.store.requireCalendar(calendarId);
    const found = this.ops.resolve(cal, eventId);
    if (!found) return undefined;
    return this.render(calendarId, found.kind === 'stored' ? found.ev : found.view);
  }

  /** Stored rows (single events, series masters, exceptions) in creation order. */
  events(calendarId: string, options: { includeCancelled?: boolean } = {}): EventResource[] {
    const cal = this.store.requireCalendar(calendarId);
    return [...cal.events.values()].filter((ev) => options.includeCancelled || ev.status !== 'cancelled').map((ev) => this.render(calendarId, ev));
  }

  static instanceId(masterId: string, originalStart: string | Date): string {
    return instanceIdOf(masterId, originalStart);
  }

  instanceId(masterId: string, originalStart: string | Date): string {
    return instanceIdOf(masterId, originalStart);
  }

  private render(calendarId: string, ev: Parameters<typeof renderEvent>[0]): EventResource {
    const cal = this.store.requireCalendar(calendarId);
    return renderEvent(ev, { cal, viewer: ownerOf(cal), zone: cal.timeZone }) as EventResource;
  }

  // ---- clock, tokens, sync tokens --------------------------------------------------------------

  now(): Date {
    return new Date(this.clock.now());
  }

  advanceClock(by: Duration): Date {
    return new Date(this.clock.advance(toMs(by)));
  }

  setClock(to: Date | string): Date {
    return new Date(this.clock.set(new Date(to).getTime()));
  }

  /** Tokens as after an offline consent, without the browser dance. */
  issueTokens(email: string, clientId: string, scopes: string[] = ALL_CALENDAR_SCOPES): TokenResponse & { refresh_token: string; expiry_date: number } {
    return this.oauth.issueTokens(email, clientId, scopes);
  }

  expireAccessTokens(filter: { email?: string; clientId?: string } = {}): number {
    return this.oauth.expireAccessTokens(filter);
  }

  /** Revokes the account's grant (every token) for one OAuth client, or for all of them. */
  revokeGrant(email: string, clientId?: string): number {
    return this.store.revokeGrant(email, clientId);
  }

  /** Next use of older sync (and incremental page) tokens answers 410: one calendar, one account's list, or everything. */
  invalidateSyncTokens(target: { calendarId?: string; email?: string } = {}): void {
    if (target.calendarId) this.store.requireCalendar(target.calendarId).epoch++;
    if (target.email) this.store.requireAccount(target.email).listEpoch++;
    if (!target.calendarId && !target.email) {
      for (const cal of this.store.calendars.values()) cal.epoch++;
      for (const state of this.store.accounts.values()) state.listEpoch++;
    }
  }

  // ---- faults, limits, consent, push, request log ---------------------------------------------

  injectFault(spec: FaultSpec): Fault {
    return this.faultInjector.add(spec);
  }

  faults(): Fault[] {
    return this.faultInjector.list();
  }

  clearFaults(): void {
    this.faultInjector.clear();
  }

  setRateLimit(email: string, limit: RateLimit): void {
    this.limiter.set(email, limit);
  }

  clearRateLimit(email?: string): void {
    this.limiter.clear(email);
  }

  setListSettings(settings: Partial<ListSettings>): ListSettings {
    return Object.assign(this.store.settings, settings);
  }

  setConsent(settings: Partial<ConsentSettings>): ConsentSettings {
    return { ...Object.assign(this.oauth.consent, settings) };
  }

  setPushFaults(faults: PushFaults): PushFaults {
    this.push.setFaults(faults);
    return { ...this.push.faults };
  }

  /** Delivers messages held by `paused` or a reorder window. */
  flushPush(): void {
    this.push.flush();
  }

  /** Resolves when no push delivery is in flight or waiting for a retry. */
  waitForPush(timeoutMs?: number): Promise<void> {
    return this.push.idle(timeoutMs);
  }

  pushDeliveries(): DeliveryRecord[] {
    return [...this.push.deliveries];
  }

  channels(): Channel[] {
    return [...this.push.channels.values()].map((c) => ({ ...c }));
  }

  /** Logged requests (OAuth and Calendar API; not /__admin), oldest first. */
  requests(filter: { method?: string; path?: string | RegExp; account?: string } = {}): LoggedRequest[] {
    return this.http.requestLog.filter(
      (r) =>
        (!filter.method || r.method === filter.method.toUpperCase()) &&
        (!filter.account || r.account === filter.account.toLowerCase()) &&
        (!filter.path || (filter.path instanceof RegExp ? filter.path.test(r.path) : r.path.includes(filter.path))),
    );
  }

  clearRequests(): void {
    this.http.clearLog();
  }
}

export async function startFakeGoogle(options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  return new FakeGoogle(options).start();
}
