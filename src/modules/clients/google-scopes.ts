/** Google's Calendar API scopes (from the API's discovery description in googleapis 178). */
const CALENDAR = 'https://www.googleapis.com/auth/calendar';

export const CALENDAR_SCOPES = [
  CALENDAR,
  `${CALENDAR}.readonly`,
  `${CALENDAR}.events`,
  `${CALENDAR}.events.readonly`,
  `${CALENDAR}.events.owned`,
  `${CALENDAR}.events.owned.readonly`,
  `${CALENDAR}.events.freebusy`,
  `${CALENDAR}.events.public.readonly`,
  `${CALENDAR}.calendarlist`,
  `${CALENDAR}.calendarlist.readonly`,
  `${CALENDAR}.calendars`,
  `${CALENDAR}.calendars.readonly`,
  `${CALENDAR}.freebusy`,
  `${CALENDAR}.settings.readonly`,
  `${CALENDAR}.acls`,
  `${CALENDAR}.acls.readonly`,
  `${CALENDAR}.app.created`,
] as const;

/** Sign-in scopes: Calento always adds `openid email` to learn which account consented. */
export const IDENTITY_SCOPES = [
  'openid',
  'email',
  'profile',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
] as const;

export const ALLOWED_SCOPES: readonly string[] = [...CALENDAR_SCOPES, ...IDENTITY_SCOPES];

export const DEFAULT_SCOPES = [CALENDAR];

/** Scopes that let Calento read the account's calendar list; every credential needs one. */
export const CALENDAR_LIST_SCOPES: readonly string[] = [
  CALENDAR,
  `${CALENDAR}.readonly`,
  `${CALENDAR}.calendarlist`,
  `${CALENDAR}.calendarlist.readonly`,
];

/** The scopes of a consent request: the credential's, plus `openid email`, each once. */
export function consentScopes(scopes: readonly string[]): string[] {
  return [...new Set([...scopes, 'openid', 'email'])];
}

/** Problems with a list of requested scopes, or null when it is usable. */
export function scopesProblem(scopes: readonly string[]): string | null {
  if (!scopes.some((scope) => CALENDAR_LIST_SCOPES.includes(scope))) {
    return `must include one scope that can read the calendar list: ${CALENDAR_LIST_SCOPES.join(', ')}`;
  }
  return null;
}

/** Whether a grant (Google's space-separated `scope`) still lets Calento read the calendar list. */
export function grantCoversCalendarList(granted: readonly string[]): boolean {
  return granted.some((scope) => CALENDAR_LIST_SCOPES.includes(scope));
}
