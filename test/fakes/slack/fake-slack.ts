import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake Slack, speaking Slack's wire format over real HTTP: the Web API at `/api/<method>` (form-encoded
 * or JSON POSTs, `Authorization: Bearer` or a `token` field, HTTP 200 with `{ ok: false, error }` for
 * platform errors, 429 with Retry-After when rate limited) and the OAuth v2 authorize page at
 * `/oauth/v2/authorize`, which approves at once and redirects back with a code. Tests point Calento's
 * SLACK_API_URL at `apiUrl` and inject failures: an error reply for a method, a rate limit, an outage
 * (503 for every call), a revoked token, a channel the bot is not in.
 */

export interface FakeChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  /** Whether the bot is a member: posting to a channel it is not in answers not_in_channel. */
  isMember: boolean;
  isArchived: boolean;
}

export interface PostedMessage {
  channel: string;
  text: string;
  blocks: unknown[];
  ts: string;
  token: string;
  team: string;
}

export interface ApiCall {
  method: string;
  at: number;
  params: Record<string, unknown>;
  status: number;
}

interface TokenInfo {
  kind: 'bot' | 'user';
  team: string;
  user: string;
  revoked: boolean;
}

interface Injected {
  method: string;
  kind: 'error' | 'ratelimit' | 'http';
  value: string | number;
  times: number;
}

export class FakeSlack {
  readonly clientId = 'fake-client-id.123';
  readonly clientSecret = 'fake-client-secret-abc';
  readonly team = { id: 'T0FAKE01', name: 'Fake Workspace' };
  /** The Slack user who approves the next install. */
  installingUser = 'U0INSTALL1';
  readonly channels: FakeChannel[] = [];
  readonly messages: PostedMessage[] = [];
  readonly calls: ApiCall[] = [];
  /** Profile (status) of each Slack user, as users.profile.set left it. */
  readonly profiles = new Map<string, { status_text: string; status_emoji: string; status_expiration: number }>();
  readonly profileSets: Array<{ user: string; status_text: string; at: number }> = [];
  /** Authorize requests seen (the query of each). */
  readonly authorizeRequests: Array<Record<string, string>> = [];
  /** Every authorization code handed out (tests check none reaches a log). */
  readonly issuedCodes: string[] = [];
  /** Every API call answers 503 while true. */
  outage = false;
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly codes = new Map<string, { redirectUri: string; user: string; scope: string; userScope: string }>();
  private readonly injected: Injected[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private tsCounter = 0;

  private constructor() {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts on 127.0.0.1 with `channelCount` public channels the bot is in (more than a page: cursors). */
  static async start(options: { channelCount?: number } = {}): Promise<FakeSlack> {
    const fake = new FakeSlack();
    fake.addChannel({ id: 'C0GENERAL', name: 'general' });
    fake.addChannel({ id: 'C0PRIVATE', name: 'secret-plans', isPrivate: true });
    fake.addChannel({ id: 'C0OUTSIDE', name: 'bot-not-invited', isMember: false });
    fake.addChannel({ id: 'C0ARCHIVE', name: 'old-stuff', isArchived: true });
    for (let i = 0; i < (options.channelCount ?? 0); i++) {
      fake.addChannel({ id: `C1${String(i).padStart(7, '0')}`, name: `team-${i}` });
    }
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What SLACK_API_URL is set to. */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addChannel(channel: Partial<FakeChannel> & { id: string; name: string }): void {
    this.channels.push({ isPrivate: false, isMember: true, isArchived: false, ...channel });
  }

  removeChannel(id: string): void {
    const index = this.channels.findIndex((channel) => channel.id === id);
    if (index >= 0) this.channels.splice(index, 1);
  }

  /** The next `times` calls of `method` answer `{ ok: false, error }`. */
  failNext(method: string, error: string, times = 1): void {
    this.injected.push({ method, kind: 'error', value: error, times });
  }

  /** The next `times` calls of `method` answer 429 with `Retry-After: seconds`. */
  rateLimitNext(method: string, seconds: number, times = 1): void {
    this.injected.push({ method, kind: 'ratelimit', value: seconds, times });
  }

  /** Revokes every token of the workspace (as an admin uninstalling the app would). */
  revokeAll(): void {
    for (const info of this.tokens.values()) info.revoked = true;
  }

  isRevoked(token: string): boolean {
    return this.tokens.get(token)?.revoked ?? false;
  }

  tokensOf(kind: 'bot' | 'user'): string[] {
    return [...this.tokens].filter(([, info]) => info.kind === kind).map(([token]) => token);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  messagesIn(channel: string): PostedMessage[] {
    return this.messages.filter((message) => message.channel === channel);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    try {
      if (req.method === 'GET' && url.pathname === '/oauth/v2/authorize') return this.authorize(url, res);
      const match = /^\/api\/([a-zA-Z0-9.]+)$/.exec(url.pathname);
      if (!match) return send(res, 404, { ok: false, error: 'unknown_method' });
      const params = await readParams(req, url);
      await this.api(match[1], params, req, res);
    } catch (error) {
      send(res, 400, { ok: false, error: 'invalid_form_data', detail: String(error) });
    }
  }

  private authorize(url: URL, res: ServerResponse): void {
    const query = Object.fromEntries(url.searchParams);
    this.authorizeRequests.push(query);
    const redirectUri = query.redirect_uri;
    if (query.client_id !== this.clientId || !redirectUri) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_client_id');
      return;
    }
    const code = `code-${randomBytes(12).toString('hex')}`;
    this.issuedCodes.push(code);
    this.codes.set(code, { redirectUri, user: this.installingUser, scope: query.scope ?? '', userScope: query.user_scope ?? '' });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    res.writeHead(302, { location: target.toString() }).end();
  }

  private async api(method: string, params: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const log = (status: number) => this.calls.push({ method, at: Date.now(), params, status });
    if (this.outage) {
      log(503);
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
      return;
    }
    const injected = this.injected.find((entry) => entry.method === method && entry.times > 0);
    if (injected) {
      injected.times -= 1;
      if (injected.kind === 'ratelimit') {
        log(429);
        res.writeHead(429, { 'retry-after': String(injected.value), 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      log(200);
      return send(res, 200, { ok: false, error: injected.value });
    }
    log(200);
    if (method === 'oauth.v2.access') return send(res, 200, this.oauthAccess(params, req));
    const token = bearer(req) ?? (typeof params.token === 'string' ? params.token : null);
    if (!token) return send(res, 200, { ok: false, error: 'not_authed' });
    const info = this.tokens.get(token);
    if (!info) return send(res, 200, { ok: false, error: 'invalid_auth' });
    if (info.revoked) return send(res, 200, { ok: false, error: 'token_revoked' });
    switch (method) {
      case 'auth.test':
        return send(res, 200, { ok: true, url: 'https://fake.slack.com/', team: this.team.name, team_id: info.team, user_id: info.user });
      case 'auth.revoke':
        info.revoked = true;
        return send(res, 200, { ok: true, revoked: true });
      case 'conversations.list':
        return send(res, 200, this.conversationsList(params, info));
      case 'chat.postMessage':
        return send(res, 200, this.postMessage(params, token, info));
      case 'users.profile.set':
        return send(res, 200, this.profileSet(params, info));
      default:
        return send(res, 200, { ok: false, error: 'unknown_method' });
    }
  }

  private oauthAccess(params: Record<string, unknown>, req: IncomingMessage): Record<string, unknown> {
    const basic = basicAuth(req);
    const clientId = basic?.user ?? params.client_id;
    const clientSecret = basic?.password ?? params.client_secret;
    if (clientId !== this.clientId) return { ok: false, error: 'invalid_client_id' };
    if (clientSecret !== this.clientSecret) return { ok: false, error: 'bad_client_secret' };
    const code = typeof params.code === 'string' ? this.codes.get(params.code) : undefined;
    if (!code) return { ok: false, error: 'invalid_code' };
    this.codes.delete(params.code as string);
    if (params.redirect_uri !== undefined && params.redirect_uri !== code.redirectUri) return { ok: false, error: 'bad_redirect_uri' };
    const bot = `xoxb-${this.team.id}-${randomBytes(16).toString('hex')}`;
    this.tokens.set(bot, { kind: 'bot', team: this.team.id, user: 'U0BOTUSER', revoked: false });
    const response: Record<string, unknown> = {
      ok: true,
      access_token: bot,
      token_type: 'bot',
      scope: code.scope,
      bot_user_id: 'U0BOTUSER',
      app_id: 'A0FAKEAPP',
      team: { id: this.team.id, name: this.team.name },
      enterprise: null,
      is_enterprise_install: false,
      authed_user: { id: code.user },
    };
    if (code.userScope) {
      const user = `xoxp-${this.team.id}-${randomBytes(16).toString('hex')}`;
      this.tokens.set(user, { kind: 'user', team: this.team.id, user: code.user, revoked: false });
      response.authed_user = { id: code.user, scope: code.userScope, access_token: user, token_type: 'user' };
    }
    return response;
  }

  private conversationsList(params: Record<string, unknown>, info: TokenInfo): Record<string, unknown> {
    if (info.kind !== 'bot') return { ok: false, error: 'not_allowed_token_type' };
    const limit = Math.min(Math.max(Number(params.limit ?? 100) || 100, 1), 1000);
    const types = String(params.types ?? 'public_channel').split(',');
    const excludeArchived = params.exclude_archived === true || params.exclude_archived === 'true';
    const visible = this.channels.filter(
      (channel) =>
        types.includes(channel.isPrivate ? 'private_channel' : 'public_channel') &&
        // A bot sees only the private channels it was invited to.
        (!channel.isPrivate || channel.isMember) &&
        !(excludeArchived && channel.isArchived),
    );
    let start = 0;
    if (typeof params.cursor === 'string' && params.cursor !== '') {
      const decoded = Buffer.from(params.cursor, 'base64').toString('utf8');
      const match = /^offset:(\d+)$/.exec(decoded);
      if (!match) return { ok: false, error: 'invalid_cursor' };
      start = Number(match[1]);
    }
    const page = visible.slice(start, start + limit);
    const next = start + limit < visible.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
    return {
      ok: true,
      channels: page.map((channel) => ({
        id: channel.id,
        name: channel.name,
        is_channel: !channel.isPrivate,
        is_group: channel.isPrivate,
        is_private: channel.isPrivate,
        is_archived: channel.isArchived,
        is_member: channel.isMember,
      })),
      response_metadata: { next_cursor: next },
    };
  }

  private postMessage(params: Record<string, unknown>, token: string, info: TokenInfo): Record<string, unknown> {
    const channelId = params.channel;
    if (typeof channelId !== 'string' || !channelId) return { ok: false, error: 'channel_not_found' };
    const channel = this.channels.find((candidate) => candidate.id === channelId);
    if (!channel || (channel.isPrivate && !channel.isMember)) return { ok: false, error: 'channel_not_found' };
    if (channel.isArchived) return { ok: false, error: 'is_archived' };
    if (!channel.isMember) return { ok: false, error: 'not_in_channel' };
    const text = typeof params.text === 'string' ? params.text : '';
    let blocks: unknown[] = [];
    if (typeof params.blocks === 'string') blocks = JSON.parse(params.blocks) as unknown[];
    else if (Array.isArray(params.blocks)) blocks = params.blocks;
    if (!text && blocks.length === 0) return { ok: false, error: 'no_text' };
    this.tsCounter += 1;
    const ts = `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
    this.messages.push({ channel: channelId, text, blocks, ts, token, team: info.team });
    return { ok: true, channel: channelId, ts, message: { type: 'message', text, ts, bot_id: 'B0FAKEBOT' } };
  }

  private profileSet(params: Record<string, unknown>, info: TokenInfo): Record<string, unknown> {
    if (info.kind !== 'user') return { ok: false, error: 'not_allowed_token_type' };
    let profile: Record<string, unknown> = {};
    if (typeof params.profile === 'string') profile = JSON.parse(params.profile) as Record<string, unknown>;
    else if (params.profile && typeof params.profile === 'object') profile = params.profile as Record<string, unknown>;
    const status = {
      status_text: String(profile.status_text ?? ''),
      status_emoji: String(profile.status_emoji ?? ''),
      status_expiration: Number(profile.status_expiration ?? 0),
    };
    this.profiles.set(info.user, status);
    this.profileSets.push({ user: info.user, status_text: status.status_text, at: Date.now() });
    return { ok: true, profile: status };
  }
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (!raw) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return { ...params, ...(JSON.parse(raw) as Record<string, unknown>) };
  return { ...params, ...Object.fromEntries(new URLSearchParams(raw)) };
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}

function basicAuth(req: IncomingMessage): { user: string; password: string } | null {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decodeURIComponent(decoded.slice(0, colon)), password: decodeURIComponent(decoded.slice(colon + 1)) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
