import { createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isEmail } from 'class-validator';
import { normalizeEmail } from '../common/validation/validators.js';
import type { RateLimitName, RateLimitPolicy } from '../common/rate-limit/rate-limit.js';

/**
 * Every environment variable Calento reads is declared here, validated once at boot, and turned into a
 * typed object. Nothing else in the code base reads process.env.
 */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  appBaseUrl: string;
  /** Where the browser app lives: links in emails (password reset, verification) and OAuth outcomes go there. */
  frontendUrl: string;
  databaseUrl: string | null;
  databasePoolSize: number;
  pgliteDataDir: string;
  migrateOnBoot: boolean;
  jwtSecret: KeyObject;
  /** HMAC-SHA256 key for API key digests (API_KEY_SECRET, or derived from the JWT secret). */
  apiKeySecret: KeyObject;
  /** Bearer token Prometheus must send to GET /metrics; null: the endpoint answers 404. */
  metricsToken: string | null;
  /** Lower-cased emails whose users are admins (operational routes), besides users.role = 'admin'. */
  adminEmails: string[];
  /** AES-256-GCM keys for secrets at rest (tokens, client and webhook secrets); the first one seals. */
  encryptionKeys: EncryptionKey[];
  jwtAccessTtlSeconds: number;
  refreshTokenTtlDays: number;
  passwordResetTtlMinutes: number;
  bcryptRounds: number;
  corsOrigins: string[] | true;
  bodyLimitBytes: number;
  trustProxy: boolean;
  rateLimits: Record<RateLimitName, RateLimitPolicy>;
  mailboxDir: string;
  smtpUrl: string | null;
  mailFrom: string;
  redisUrl: string | null;
  /** Prefix of the Redis channels and keys this deployment uses (several deployments can share a Redis). */
  redisPrefix: string;
  workers: boolean;
  /** Most occurrences one request may expand (windows, feeds); more is a 400, never a silent cut. */
  expansionMaxOccurrences: number;
  jobs: JobsConfig;
  realtime: RealtimeConfig;
  google: GoogleConfig;
  webhooks: WebhooksConfig;
  slack: SlackConfig;
  /** EMAIL_REQUIRE_VERIFIED: notification emails to a user (not auth emails) go only to verified addresses. */
  emailRequireVerified: boolean;
}

/** Outgoing webhooks (src/modules/webhooks). */
export interface WebhooksConfig {
  /** Lets endpoints resolve to loopback/private addresses: local development and tests only. */
  allowPrivate: boolean;
  /** Endpoints must be https (always in production). */
  requireHttps: boolean;
  /** An attempt succeeds on a 2xx within this time. */
  timeoutMs: number;
}

/** The Slack app (OAuth v2 install, Web API, slash command signatures): see docs/slack.md. */
export interface SlackConfig {
  /** The Slack app's client id and secret (both or neither); null: Slack is not offered. */
  clientId: string | null;
  clientSecret: string | null;
  /** Signs the slash command requests Slack sends (X-Slack-Signature); null: the command route refuses all. */
  signingSecret: string | null;
  /** The Web API base `@slack/web-api` calls (ends with `/`); the OAuth authorize page is `/oauth/v2/authorize` on its origin. */
  apiUrl: string;
}

/** The socket.io endpoint (src/modules/realtime). */
export interface RealtimeConfig {
  /** How long a client can be away and still resume with `since` (older: it is told to resync). */
  resumeHours: number;
  /** How often each API process re-checks the sessions of its sockets (also woken by a password change). */
  sessionCheckSeconds: number;
}

/** Google OAuth2 and Calendar API: the deployment's own OAuth client and where Google lives. */
export interface GoogleConfig {
  /** The deployment's OAuth client, used by clients created with `useDefault: true` (both or neither). */
  clientId: string | null;
  clientSecret: string | null;
  /**
   * Origin serving Google's OAuth paths (/o/oauth2/v2/auth, /token, /revoke, /tokeninfo,
   * /oauth2/v3/userinfo); null: Google's real hosts. The fake Google serves them all.
   */
  oauthBaseUrl: string | null;
  /** googleapis' rootUrl (origin + '/'; the API paths are /calendar/v3/...); null: www.googleapis.com. */
  apiBaseUrl: string | null;
  /**
   * Where Google sends push notifications (events.watch): GOOGLE_PUSH_URL, default
   * APP_BASE_URL/api/v1/webhooks/google. Google only accepts https; without a channel, syncs poll.
   */
  pushUrl: string;
  /** How often a calendar without a push channel is synced (GOOGLE_SYNC_POLL_MINUTES, default 15). */
  pollMinutes: number;
  /** Lifetime asked for a push channel (GOOGLE_CHANNEL_TTL_HOURS, default 168: Google's usual week). */
  channelTtlHours: number;
  /** A push starts its sync this much later, so a burst of notifications becomes one run (GOOGLE_PUSH_DEBOUNCE_MS, default 2000). */
  pushDebounceMs: number;
}

/** The durable job queue (src/modules/jobs): how workers claim, retry and let go of jobs. */
export interface JobsConfig {
  /** Jobs one worker process runs at the same time. */
  concurrency: number;
  /** How often an idle worker looks for due jobs. */
  pollIntervalMs: number;
  /** How long a claimed job stays locked to its worker without a heartbeat. */
  leaseSeconds: number;
  /** Attempts before a job is marked failed (a handler may set its own). */
  maxAttempts: number;
  /** First retry delay; it doubles each attempt, with jitter, up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A run longer than this is aborted and counts as a failed attempt. */
  timeoutSeconds: number;
  /** On shutdown, how long in-flight jobs may finish before they are released to other workers. */
  shutdownGraceMs: number;
  /** Succeeded and cancelled jobs are deleted after this many days (failed ones are kept). */
  retentionDays: number;
}

/** One AES-256 key and the id stored beside everything it seals, so keys can rotate. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

function str(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function optional(env: Env, name: string): string | null {
  const value = env[name];
  return value === undefined || value === '' ? null : value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean, words: [string, string] = ['true', 'false']): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const lowered = raw.toLowerCase();
  if ([words[0], '1', 'yes', 'on', 'true'].includes(lowered)) return true;
  if ([words[1], '0', 'no', 'off', 'false'].includes(lowered)) return false;
  throw new ConfigError(name, `must be ${words[0]} or ${words[1]}, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = str(env, name, fallback);
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = optional(env, name);
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

/**
 * An http(s) URL that paths are appended to (`${APP_BASE_URL}/book/…`, the Slack method names): a path
 * is kept, but a query string or a fragment would land in the middle of every URL built from it.
 * Returned without trailing slashes.
 */
function baseUrl(env: Env, name: string): string | null {
  const raw = url(env, name, ['http:', 'https:']);
  if (raw === null) return null;
  if (/[?#]/.test(raw)) throw new ConfigError(name, `must not have a query string or fragment (paths are appended to it), got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

/** What a browser sends as its Origin: scheme, host (a name, an IPv4 address or a bracketed IPv6 one), port. */
const ORIGIN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:\d{1,5})?$/i;

/**
 * `*`, or origins separated by commas. CORS compares the browser's Origin header with each entry as
 * text, so an entry with a trailing slash, a path or another separator in it would never match, and the
 * app on that origin would be locked out without a word. Entries are kept as browsers write them
 * (lower case, no default port).
 */
function corsOrigins(env: Env): string[] | true {
  const raw = str(env, 'CORS_ORIGINS', '*').trim();
  if (raw === '*') return true;
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  return entries.map((entry) => {
    if (entry === '*') throw new ConfigError('CORS_ORIGINS', 'must be * alone or a list of origins, not both');
    let origin: string | null = null;
    try {
      origin = ORIGIN.test(entry) ? new URL(entry).origin : null;
    } catch {
      // a port past 65535
    }
    if (origin === null) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `must be * or origins separated by commas, each like https://app.example.com or http://localhost:5173 (no path, not even a trailing slash); "${entry}" is not one`,
      );
    }
    return origin;
  });
}

/**
 * `address` or `Name <address>`. A name holding a comma or semicolon goes in double quotes; bare, the
 * mail library would read two senders.
 */
function mailFrom(env: Env): string {
  const raw = str(env, 'MAIL_FROM', 'Calento <no-reply@calento.local>').trim();
  const named = /^(?:"[^"\\\x00-\x1f]*"|[^"<>,;\x00-\x1f]*?)\s*<([^<>\s]+)>$/.exec(raw);
  if (!isEmail(named ? named[1] : raw)) {
    throw new ConfigError('MAIL_FROM', `must be an email address or Name <address>, got "${raw}"`);
  }
  return raw;
}

/** Compared with users' emails as they are stored: trimmed, lower case, Unicode NFC. */
function adminEmails(env: Env): string[] {
  const emails = (optional(env, 'ADMIN_EMAILS') ?? '')
    .split(',')
    .map(normalizeEmail)
    .filter(Boolean);
  const bad = emails.find((email) => !isEmail(email));
  if (bad !== undefined) throw new ConfigError('ADMIN_EMAILS', `must be email addresses separated by commas; "${bad}" is not one`);
  return emails;
}

/**
 * Without JWT_SECRET, development keeps a random secret in the data folder so that sessions survive a
 * restart; production refuses to start without one.
 */
function jwtSecret(env: Env, nodeEnv: AppConfig['nodeEnv'], dataDir: string): KeyObject {
  const raw = optional(env, 'JWT_SECRET');
  if (raw !== null) {
    if (raw.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
    return createSecretKey(Buffer.from(raw, 'utf8'));
  }
  if (nodeEnv === 'production') throw new ConfigError('JWT_SECRET', 'is required in production');
  const file = resolve(dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return createSecretKey(Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8'));
}

/**
 * The key of the API keys' HMAC. Its own variable so JWT_SECRET can rotate without voiding every API
 * key; unset, it is derived (HKDF) from the JWT secret, which is enough until the first rotation.
 */
function apiKeySecret(env: Env, nodeEnv: AppConfig['nodeEnv'], dataDir: string): KeyObject {
  const raw = optional(env, 'API_KEY_SECRET');
  if (raw !== null) {
    if (raw.length < 32) throw new ConfigError('API_KEY_SECRET', 'must be at least 32 characters');
    return createSecretKey(Buffer.from(raw, 'utf8'));
  }
  const base = jwtSecret(env, nodeEnv, dataDir).export();
  return createSecretKey(Buffer.from(hkdfSync('sha256', base, Buffer.alloc(0), 'calento api keys', 32)));
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * ENCRYPTION_KEYS is `id:base64key[,id:base64key…]` with the active key first; older keys stay listed
 * until everything they sealed has been re-sealed. Without it, development keeps one generated key in the
 * data folder (like the JWT secret); production refuses to start.
 */
function encryptionKeys(env: Env, nodeEnv: AppConfig['nodeEnv'], dataDir: string): EncryptionKey[] {
  let raw = optional(env, 'ENCRYPTION_KEYS');
  if (raw === null) {
    if (nodeEnv === 'production') throw new ConfigError('ENCRYPTION_KEYS', 'is required in production');
    const file = resolve(dataDir, 'encryption-key');
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `dev1:${randomBytes(32).toString('base64')}`, { mode: 0o600 });
    }
    raw = readFileSync(file, 'utf8').trim();
  }
  const keys = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon) : '';
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (!KEY_ID.test(id)) throw new ConfigError('ENCRYPTION_KEYS', 'must list keys as id:base64key (id: letters, digits, - or _)');
      if (key.length !== 32) throw new ConfigError('ENCRYPTION_KEYS', `key "${id}" must decode to 32 bytes, got ${key.length}`);
      return { id, key };
    });
  if (keys.length === 0) throw new ConfigError('ENCRYPTION_KEYS', 'must list at least one key');
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new ConfigError('ENCRYPTION_KEYS', 'has a key id twice');
  return keys;
}

export function loadConfig(env: Env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', 'development', ['development', 'production', 'test'] as const);
  const dataDir = resolve(str(env, 'DATA_DIR', './.data'));
  const port = int(env, 'PORT', 3000, 0, 65535);
  const appBaseUrl = baseUrl(env, 'APP_BASE_URL') ?? `http://localhost:${port}`;
  return {
    nodeEnv,
    host: str(env, 'HOST', '0.0.0.0'),
    port,
    logLevel: oneOf(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', [
      'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent',
    ] as const),
    appBaseUrl,
    frontendUrl: baseUrl(env, 'FRONTEND_URL') ?? `${appBaseUrl}/app`,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    pgliteDataDir: resolve(str(env, 'PGLITE_DATA_DIR', resolve(dataDir, 'pglite'))),
    migrateOnBoot: bool(env, 'MIGRATE_ON_BOOT', true),
    jwtSecret: jwtSecret(env, nodeEnv, dataDir),
    apiKeySecret: apiKeySecret(env, nodeEnv, dataDir),
    metricsToken: metricsToken(env),
    adminEmails: adminEmails(env),
    encryptionKeys: encryptionKeys(env, nodeEnv, dataDir),
    jwtAccessTtlSeconds: int(env, 'JWT_ACCESS_TTL_SECONDS', 900, 30, 86400),
    refreshTokenTtlDays: int(env, 'REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
    passwordResetTtlMinutes: int(env, 'PASSWORD_RESET_TTL_MINUTES', 60, 5, 1440),
    bcryptRounds: int(env, 'BCRYPT_ROUNDS', 12, 4, 15),
    corsOrigins: corsOrigins(env),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 52_428_800),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    rateLimits: rateLimits(env),
    mailboxDir: resolve(str(env, 'MAILBOX_DIR', resolve(dataDir, 'mailbox'))),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: mailFrom(env),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: redisPrefix(env),
    workers: bool(env, 'WORKERS', true, ['on', 'off']),
    expansionMaxOccurrences: int(env, 'EXPANSION_MAX_OCCURRENCES', 5000, 10, 100_000),
    jobs: jobsConfig(env),
    realtime: {
      resumeHours: int(env, 'REALTIME_RESUME_HOURS', 24, 1, 720),
      sessionCheckSeconds: int(env, 'REALTIME_SESSION_CHECK_SECONDS', 60, 1, 3600),
    },
    google: googleConfig(env, appBaseUrl),
    webhooks: webhooksConfig(env, nodeEnv),
    slack: slackConfig(env),
    emailRequireVerified: bool(env, 'EMAIL_REQUIRE_VERIFIED', false),
  };
}

function webhooksConfig(env: Env, nodeEnv: AppConfig['nodeEnv']): WebhooksConfig {
  const allowPrivate = bool(env, 'WEBHOOKS_ALLOW_PRIVATE', false);
  // The address guard is what keeps a webhook from reaching the deployment's own network.
  if (allowPrivate && nodeEnv === 'production') {
    throw new ConfigError('WEBHOOKS_ALLOW_PRIVATE', 'is for local development only and cannot be true in production');
  }
  return {
    allowPrivate,
    requireHttps: nodeEnv === 'production',
    timeoutMs: int(env, 'WEBHOOKS_TIMEOUT_MS', 15_000, 100, 60_000),
  };
}

/** An optional shared secret: 16-256 printable characters without spaces (a blank or short one is a placeholder or a bad paste). */
function secret(env: Env, name: string, hint = ''): string | null {
  const value = optional(env, name);
  if (value !== null && !/^[\x21-\x7e]{16,256}$/.test(value)) throw new ConfigError(name, `must be 16-256 printable characters without spaces${hint}`);
  return value;
}

function metricsToken(env: Env): string | null {
  return secret(env, 'METRICS_TOKEN');
}

function slackConfig(env: Env): SlackConfig {
  const clientId = optional(env, 'SLACK_CLIENT_ID');
  const clientSecret = optional(env, 'SLACK_CLIENT_SECRET');
  if ((clientId === null) !== (clientSecret === null)) {
    throw new ConfigError(clientId === null ? 'SLACK_CLIENT_ID' : 'SLACK_CLIENT_SECRET', 'must be set together with its pair');
  }
  // A short key would also make signatures guessable.
  const signingSecret = secret(env, 'SLACK_SIGNING_SECRET', " (Slack's are 32 hex characters)");
  return {
    clientId,
    clientSecret,
    signingSecret,
    apiUrl: `${baseUrl(env, 'SLACK_API_URL') ?? 'https://slack.com/api'}/`,
  };
}

/** Budgets per window; 0 turns a budget off. See RateLimitName for which routes each covers. */
function rateLimits(env: Env): Record<RateLimitName, RateLimitPolicy> {
  const windowSeconds = int(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400);
  return {
    auth: {
      perIp: int(env, 'RATE_LIMIT_LOGIN_PER_IP', 20, 0, 1_000_000),
      perAccount: int(env, 'RATE_LIMIT_LOGIN_PER_ACCOUNT', 5, 0, 1_000_000),
      windowSeconds,
    },
    public: { perIp: int(env, 'RATE_LIMIT_PUBLIC_PER_IP', 120, 0, 1_000_000), windowSeconds },
    anonymous: { perIp: int(env, 'RATE_LIMIT_ANONYMOUS_PER_IP', 300, 0, 1_000_000), windowSeconds },
    user: { perIp: int(env, 'RATE_LIMIT_PER_USER', 6000, 0, 10_000_000), windowSeconds },
  };
}

function redisPrefix(env: Env): string {
  const prefix = str(env, 'REDIS_PREFIX', 'calento');
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) {
    throw new ConfigError('REDIS_PREFIX', 'must be 1-64 letters, digits, ".", ":", "_" or "-"');
  }
  return prefix;
}

function googleConfig(env: Env, appBaseUrl: string): GoogleConfig {
  const clientId = optional(env, 'GOOGLE_CLIENT_ID');
  const clientSecret = optional(env, 'GOOGLE_CLIENT_SECRET');
  if ((clientId === null) !== (clientSecret === null)) {
    throw new ConfigError(clientId === null ? 'GOOGLE_CLIENT_ID' : 'GOOGLE_CLIENT_SECRET', 'must be set together with its pair');
  }
  return {
    clientId,
    clientSecret,
    oauthBaseUrl: origin(env, 'GOOGLE_OAUTH_BASE_URL'),
    apiBaseUrl: origin(env, 'GOOGLE_API_BASE_URL'),
    pushUrl: pushUrl(env) ?? `${appBaseUrl}/api/v1/webhooks/google`,
    pollMinutes: int(env, 'GOOGLE_SYNC_POLL_MINUTES', 15, 1, 1440),
    channelTtlHours: int(env, 'GOOGLE_CHANNEL_TTL_HOURS', 168, 1, 720),
    pushDebounceMs: int(env, 'GOOGLE_PUSH_DEBOUNCE_MS', 2000, 0, 60_000),
  };
}

/**
 * Google posts to this URL as it is, so a query string reaches the server, but a fragment never leaves
 * the sender and can only be a mistake.
 */
function pushUrl(env: Env): string | null {
  const raw = url(env, 'GOOGLE_PUSH_URL', ['http:', 'https:']);
  if (raw?.includes('#')) throw new ConfigError('GOOGLE_PUSH_URL', `must not have a fragment (#…), got "${raw}"`);
  return raw;
}

/** An http(s) origin: googleapis resolves its absolute API paths against the origin and drops any path. */
function origin(env: Env, name: string): string | null {
  const raw = url(env, name, ['http:', 'https:']);
  if (raw === null) return null;
  const parsed = new URL(raw);
  if (parsed.pathname.replace(/\/+$/, '') !== '' || parsed.search || parsed.hash) {
    throw new ConfigError(name, 'must be an origin without a path, e.g. http://127.0.0.1:4010');
  }
  return parsed.origin;
}

function jobsConfig(env: Env): JobsConfig {
  const backoffBaseMs = int(env, 'JOB_BACKOFF_BASE_MS', 10_000, 1, 86_400_000);
  const backoffMaxMs = int(env, 'JOB_BACKOFF_MAX_MS', 3_600_000, 1, 604_800_000);
  if (backoffMaxMs < backoffBaseMs) {
    throw new ConfigError('JOB_BACKOFF_MAX_MS', `must be at least JOB_BACKOFF_BASE_MS (${backoffBaseMs})`);
  }
  return {
    concurrency: int(env, 'JOB_CONCURRENCY', 5, 1, 100),
    pollIntervalMs: int(env, 'JOB_POLL_INTERVAL_MS', 1000, 10, 60_000),
    leaseSeconds: int(env, 'JOB_LEASE_SECONDS', 60, 1, 3600),
    maxAttempts: int(env, 'JOB_MAX_ATTEMPTS', 12, 1, 100),
    backoffBaseMs,
    backoffMaxMs,
    timeoutSeconds: int(env, 'JOB_TIMEOUT_SECONDS', 120, 1, 3600),
    shutdownGraceMs: int(env, 'JOB_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    retentionDays: int(env, 'JOB_RETENTION_DAYS', 7, 1, 3650),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
