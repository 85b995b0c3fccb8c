/**
 * Google's two error dialects. Calendar v3 (an "apiary" API) answers
 * `{"error":{"errors":[{domain,reason,message,locationType?,location?}],code,message}}`; the OAuth
 * endpoints answer `{"error":"invalid_grant","error_description":"…"}`. Clients branch on `reason` and
 * `error`, so both are reproduced exactly.
 */

export interface ApiErrorItem {
  domain: string;
  reason: string;
  message: string;
  locationType?: string;
  location?: string;
}

export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly location?: { type: string; name: string },
  ) {
    super(message);
  }

  body(): { error: { errors: ApiErrorItem[]; code: number; message: string } } {
    const item: ApiErrorItem = { domain: this.domain, reason: this.reason, message: this.message };
    if (this.location) {
      item.locationType = this.location.type;
      item.location = this.location.name;
    }
    return { error: { errors: [item], code: this.status, message: this.message } };
  }
}

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }

  body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

const param = (name: string) => ({ type: 'parameter', name });

export const apiErrors = {
  authRequired: () =>
    new GoogleApiError(401, 'required', 'Login Required.', 'global', { type: 'header', name: 'Authorization' }),
  invalidCredentials: () =>
    new GoogleApiError(401, 'authError', 'Invalid Credentials', 'global', { type: 'header', name: 'Authorization' }),
  insufficientScopes: () =>
    new GoogleApiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.'),
  notFound: () => new GoogleApiError(404, 'notFound', 'Not Found'),
  deleted: () => new GoogleApiError(410, 'deleted', 'Resource has been deleted'),
  duplicate: () => new GoogleApiError(409, 'duplicate', 'The requested identifier already exists.'),
  conditionNotMet: () =>
    new GoogleApiError(412, 'conditionNotMet', 'Precondition Failed', 'global', { type: 'header', name: 'If-Match' }),
  writerAccess: () =>
    new GoogleApiError(403, 'requiredAccessLevel', 'You need to have writer access to this calendar.', 'calendar'),
  readerAccess: () =>
    new GoogleApiError(403, 'requiredAccessLevel', 'You need to have reader access to this calendar.', 'calendar'),
  fullSyncRequired: () =>
    new GoogleApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', 'calendar', param('syncToken')),
  updatedMinTooLongAgo: () =>
    new GoogleApiError(410, 'updatedMinTooLongAgo', 'The requested minimum modification time lies too far in the past.', 'calendar', param('updatedMin')),
  timeRangeEmpty: (location?: string) =>
    new GoogleApiError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'calendar', location ? param(location) : undefined),
  invalid: (message: string, location?: string) =>
    new GoogleApiError(400, 'invalid', message, 'global', location ? param(location) : undefined),
  invalidBody: (message: string) => new GoogleApiError(400, 'invalid', message),
  required: (message: string) => new GoogleApiError(400, 'required', message),
  parseError: () => new GoogleApiError(400, 'parseError', 'Parse Error'),
  badRequest: (message: string) => new GoogleApiError(400, 'badRequest', message),
  channelIdNotUnique: () => new GoogleApiError(400, 'channelIdNotUnique', 'Channel id not unique', 'push'),
  webhookNotHttps: () =>
    new GoogleApiError(400, 'push.webhookUrlNotHttps', 'WebHook callback must be HTTPS.', 'global'),
  invalidSequence: () =>
    new GoogleApiError(400, 'invalid', 'Invalid sequence value. The specified sequence number is below the current sequence number of the resource. Re-fetch the resource and use its sequence number on the following request.'),
  methodNotAllowed: () => new GoogleApiError(405, 'httpMethodNotAllowed', 'Method Not Allowed'),
};

/** Default body for an injected status (reason and domain as Google uses them for that status). */
export function injectedError(status: number, reason?: string, message?: string, domain?: string): GoogleApiError {
  const defaults: Record<number, [string, string, string]> = {
    400: ['badRequest', 'Bad Request', 'global'],
    401: ['authError', 'Invalid Credentials', 'global'],
    403: ['rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits'],
    404: ['notFound', 'Not Found', 'global'],
    409: ['conflict', 'Conflict', 'global'],
    410: ['fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', 'calendar'],
    412: ['conditionNotMet', 'Precondition Failed', 'global'],
    429: ['rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits'],
    500: ['backendError', 'Backend Error', 'global'],
    502: ['backendError', 'Bad Gateway', 'global'],
    503: ['backendError', 'The service is currently unavailable.', 'global'],
    504: ['backendError', 'Gateway Timeout', 'global'],
  };
  const [defReason, defMessage, defDomain] = defaults[status] ?? ['backendError', 'Error', 'global'];
  const usage = ['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded'];
  const finalReason = reason ?? defReason;
  const finalDomain = domain ?? (usage.includes(finalReason) ? 'usageLimits' : reason ? 'global' : defDomain);
  const messages: Record<string, string> = {
    userRateLimitExceeded: 'User Rate Limit Exceeded',
    rateLimitExceeded: 'Rate Limit Exceeded',
    quotaExceeded: 'Calendar usage limits exceeded.',
  };
  return new GoogleApiError(status, finalReason, message ?? messages[finalReason] ?? defMessage, finalDomain);
}
