import { Inject, Injectable } from '@nestjs/common';
import type * as GoogleCalendarModule from 'googleapis/build/src/apis/calendar/index.js';
import { apiPath } from '../../common/http/api-prefix.js';
import { lazyModule } from '../../common/lazy-module.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';

/**
 * Calendar v3 alone (the package root loads every Google API: about 55 MiB of heap and a second of
 * start-up), and only when a process first talks to Google (src/common/lazy-module.ts).
 */
const googleapis = lazyModule<typeof GoogleCalendarModule>('googleapis/build/src/apis/calendar/index.js');

/** Where Google lives: its real hosts, or origins serving Google's paths (the fake Google). */
export const OAUTH_CALLBACK_PATH = apiPath('oauth', 'callback');

export interface GoogleEndpoints {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  tokenInfoUrl: string;
  userinfoUrl: string;
  /** googleapis resolves `/calendar/v3/...` against this. */
  apiRootUrl: string;
}

export function googleEndpoints(oauthBaseUrl: string | null, apiBaseUrl: string | null): GoogleEndpoints {
  const oauth = oauthBaseUrl
    ? {
        authUrl: `${oauthBaseUrl}/o/oauth2/v2/auth`,
        tokenUrl: `${oauthBaseUrl}/token`,
        revokeUrl: `${oauthBaseUrl}/revoke`,
        tokenInfoUrl: `${oauthBaseUrl}/tokeninfo`,
        userinfoUrl: `${oauthBaseUrl}/oauth2/v3/userinfo`,
      }
    : {
        authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        revokeUrl: 'https://oauth2.googleapis.com/revoke',
        tokenInfoUrl: 'https://oauth2.googleapis.com/tokeninfo',
        userinfoUrl: 'https://www.googleapis.com/oauth2/v3/userinfo',
      };
  return { ...oauth, apiRootUrl: `${apiBaseUrl ?? 'https://www.googleapis.com'}/` };
}

/** The Google OAuth client a request is made as: a client's own, or the deployment's. */
export interface OAuthClientKeys {
  clientId: string;
  clientSecret: string;
}

export type OAuth2Client = InstanceType<typeof GoogleCalendarModule.auth.OAuth2>;
export type CalendarApi = GoogleCalendarModule.calendar_v3.Calendar;

/** No single call to Google may hang a request or a job. */
const GOOGLE_TIMEOUT_MS = 20_000;

/**
 * Builds googleapis objects pointed at the configured Google (never `google.options`, which does not
 * redirect). Everything Calento sends to Google goes through objects made here.
 */
@Injectable()
export class GoogleApi {
  readonly endpoints: GoogleEndpoints;
  readonly redirectUri: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.endpoints = googleEndpoints(config.google.oauthBaseUrl, config.google.apiBaseUrl);
    this.redirectUri = `${config.appBaseUrl}${OAUTH_CALLBACK_PATH}`;
  }

  /** The deployment's OAuth client (GOOGLE_CLIENT_ID/SECRET), or null when not configured. */
  get defaultKeys(): OAuthClientKeys | null {
    const { clientId, clientSecret } = this.config.google;
    return clientId && clientSecret ? { clientId, clientSecret } : null;
  }

  oauth2(keys: OAuthClientKeys): OAuth2Client {
    const { auth } = googleapis();
    return new auth.OAuth2({
      clientId: keys.clientId,
      clientSecret: keys.clientSecret,
      redirectUri: this.redirectUri,
      endpoints: {
        oauth2AuthBaseUrl: this.endpoints.authUrl,
        oauth2TokenUrl: this.endpoints.tokenUrl,
        oauth2RevokeUrl: this.endpoints.revokeUrl,
        tokenInfoUrl: this.endpoints.tokenInfoUrl,
      },
      transporterOptions: { timeout: GOOGLE_TIMEOUT_MS },
    });
  }

  calendar(auth: OAuth2Client): CalendarApi {
    return googleapis().calendar({ version: 'v3', auth, rootUrl: this.endpoints.apiRootUrl, timeout: GOOGLE_TIMEOUT_MS });
  }
}

/** What a failed call to Google says, read without depending on gaxios' error class (duck-typed). */
export interface GoogleFailure {
  /** HTTP status, or null for network errors and timeouts. */
  status: number | null;
  /** OAuth `error` ("invalid_grant") or the API's first `reason` ("rateLimitExceeded"). */
  reason: string | null;
}

export function googleFailure(error: unknown): GoogleFailure {
  const response = (error as { response?: { status?: unknown; data?: unknown } } | null)?.response;
  const status = typeof response?.status === 'number' ? response.status : null;
  const data = response?.data as { error?: unknown } | undefined;
  let reason: string | null = null;
  if (typeof data?.error === 'string') reason = data.error;
  else if (data?.error && typeof data.error === 'object') {
    const first = (data.error as { errors?: Array<{ reason?: unknown }> }).errors?.[0]?.reason;
    reason = typeof first === 'string' ? first : null;
  }
  return { status, reason };
}

/** What a failure says in words: Google's reason, else its status, else that nothing answered. */
export const failureReason = (failure: GoogleFailure) => failure.reason ?? (failure.status ? `HTTP ${failure.status}` : 'no answer');

/** Google asks to slow down (429, or a 403 naming a rate limit or quota): a retry later goes through. */
export const isRateLimited = (failure: GoogleFailure) =>
  failure.status === 429 || (failure.status === 403 && /rateLimitExceeded|userRateLimitExceeded|quotaExceeded/.test(failure.reason ?? ''));

/** Google refused the refresh token or the authorization code (revoked, expired, reused). */
export const isInvalidGrant = (failure: GoogleFailure) => failure.status === 400 && failure.reason === 'invalid_grant';

/** Google does not know the OAuth client or refused its secret. */
export const isInvalidClient = (failure: GoogleFailure) =>
  (failure.status === 400 || failure.status === 401) && (failure.reason === 'invalid_client' || failure.reason === 'unauthorized_client');
