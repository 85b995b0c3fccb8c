/**
 * A faithful fake of Google's OAuth2 and Calendar v3 servers for Calento's tests and local demo.
 * Start it in-process with startFakeGoogle(); see docs/fake-google.md.
 */
export { FakeGoogle, startFakeGoogle, ALL_CALENDAR_SCOPES, type FakeGoogleOptions, type EventResource, type Duration } from './fake-google.js';
export { SCOPES } from './routes/calendar-routes.js';
export type { FaultSpec, Fault, RateLimit, LoggedRequest } from './faults.js';
export type { PushFaults, DeliveryRecord, Channel } from './push/push-hub.js';
export type { ConsentSettings } from './oauth/oauth-service.js';
export type { CalendarSpec, ListSettings } from './state/store.js';
export type { AccessRole, OAuthClient } from './state/types.js';
export { oauth2For, calendarFor, startPushReceiver, type ReceivedPush } from './testing.js';
