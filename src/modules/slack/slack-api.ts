import { Inject, Injectable } from '@nestjs/common';
import type * as SlackWebApi from '@slack/web-api';
import { lazyModule } from '../../common/lazy-module.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';

/** Loaded when a process first talks to Slack (src/common/lazy-module.ts). */
const slackWebApi = lazyModule<typeof SlackWebApi>('@slack/web-api');

/** The scopes the bot asks for: post messages (also to public channels it was not invited to), list channels. */
export const BOT_SCOPES = ['chat:write', 'chat:write.public', 'channels:read', 'groups:read', 'commands'];
/** Asked only when the user wants their status synced: setting a user's status needs their own token. */
export const USER_SCOPES = ['users.profile:write'];

/** How long a send waits for Slack's Retry-After in-process; longer waits become a job retry. */
const MAX_RATE_LIMIT_WAIT_MS = 30_000;
const MAX_RATE_LIMIT_WAITS = 3;

/** Slack errors about the token: the install is unusable until the user connects again. */
const TOKEN_ERRORS = new Set(['token_revoked', 'invalid_auth', 'account_inactive', 'token_expired', 'not_authed', 'no_permission', 'missing_scope']);
/** Slack errors about the channel: the message cannot be delivered there, whatever the number of attempts. */
const CHANNEL_ERRORS = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'restricted_action', 'cannot_reply_to_message']);
/** Slack-side trouble worth another attempt. */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

export type SlackFailureKind = 'token' | 'channel' | 'transient' | 'permanent';

/** What Slack answered a failed call, sorted by what Calento does about it. */
export interface SlackFailure {
  kind: SlackFailureKind;
  /** Slack's error code (`channel_not_found`), or `http_503`, `network_error`, `rate_limited`. */
  code: string;
}

export function slackFailure(error: unknown): SlackFailure {
  const { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } = slackWebApi();
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    if (TOKEN_ERRORS.has(code)) return { kind: 'token', code };
    if (CHANNEL_ERRORS.has(code)) return { kind: 'channel', code };
    return { kind: TRANSIENT_ERRORS.has(code) ? 'transient' : 'permanent', code };
  }
  if (error instanceof WebAPIRateLimitedError) return { kind: 'transient', code: 'rate_limited' };
  if (error instanceof WebAPIHTTPError) return { kind: 'transient', code: `http_${error.statusCode}` };
  if (error instanceof WebAPIRequestError) return { kind: 'transient', code: 'network_error' };
  return { kind: 'transient', code: 'unknown_error' };
}

/** The WebClient's own log lines would go to the console; Calento logs what matters itself. */
const quiet: SlackWebApi.Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => slackWebApi().LogLevel.ERROR,
  setName: () => undefined,
};

/**
 * `@slack/web-api` clients aimed at SLACK_API_URL (the fake Slack in tests). Its own retries are off and
 * rate-limited calls are rejected: delivery runs in jobs, which retry with the queue's backoff, and a 429
 * is waited out here (Retry-After) so the job neither hammers Slack nor sleeps for minutes.
 */
@Injectable()
export class SlackApi {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  client(token?: string): SlackWebApi.WebClient {
    const { WebClient } = slackWebApi();
    return new WebClient(token, {
      slackApiUrl: this.config.slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      allowAbsoluteUrls: false,
      timeout: 10_000,
      logger: quiet,
    });
  }

  /** Slack's install page (OAuth v2) on the origin of SLACK_API_URL. */
  authorizeUrl(params: { clientId: string; state: string; redirectUri: string; userScopes: boolean }): string {
    const url = new URL('/oauth/v2/authorize', this.config.slack.apiUrl);
    url.searchParams.set('client_id', params.clientId);
    url.searchParams.set('scope', BOT_SCOPES.join(','));
    if (params.userScopes) url.searchParams.set('user_scope', USER_SCOPES.join(','));
    url.searchParams.set('redirect_uri', params.redirectUri);
    url.searchParams.set('state', params.state);
    return url.toString();
  }

  /**
   * Runs a call, waiting out Slack's Retry-After (up to MAX_RATE_LIMIT_WAIT_MS, a few times) when it is
   * rate limited. A longer wait, or the abort signal, ends with the error: the job retries later.
   */
  async withRateLimit<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let waits = 0; ; waits++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof slackWebApi().WebAPIRateLimitedError)) throw error;
        const waitMs = Math.max(1, error.retryAfter) * 1000;
        if (waits >= MAX_RATE_LIMIT_WAITS || waitMs > MAX_RATE_LIMIT_WAIT_MS) throw error;
        await sleep(waitMs, signal);
      }
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
