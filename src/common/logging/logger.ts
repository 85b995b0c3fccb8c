import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';
import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger as Pino } from 'pino';
import type { AppConfig } from '../../config/config.js';

/**
 * Paths pino blanks out wherever they appear in a log object. Request bodies are never logged, and the
 * request log line carries the route pattern instead of the raw URL, so tokens in paths stay out too.
 */
const redactPaths = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** `destination` defaults to stdout; tests pass a stream to read what would have been logged. */
export function createLogger(config: Pick<AppConfig, 'logLevel'>, destination?: DestinationStream): Pino {
  const options = {
    level: config.logLevel,
    base: { service: 'calento' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: isoTimestamp,
  };
  return destination ? pino(options, destination) : pino(options, stdoutDestination());
}

/** The second `isoTimestamp` formatted last, and its text up to the milliseconds. */
let lastSecond = Number.NaN;
let secondPrefix = '';

/**
 * pino's `"time"` field as ISO 8601 in UTC, the same text as `pino.stdTimeFunctions.isoTime`. That one
 * formats a new Date per line (2.8% of the CPU profile of a 10,000 requests/s route with its line per
 * request); this formats each second once and appends the milliseconds (bench/log-line.bench.mjs).
 */
export function isoTimestamp(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    secondPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const ms = now - second * 1000;
  return `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/**
 * Standard output, written in batches: lines collect up to 8 KiB and go out at least every 250 ms,
 * so a busy server makes one write for dozens of request lines instead of one each. pino flushes what
 * is left when the process exits (a crash included; a SIGKILL loses at most the last quarter second),
 * and a shutdown signal writes it out before the process ends (src/common/shutdown.ts).
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 8192, periodicFlush: 250 });
}

/**
 * Resolves once every line `logger` has taken is written, a write already under way included, or after
 * `timeoutMs` when the destination cannot take them (a reader that stopped reading must not hold a
 * shutdown forever). The exit flush above never runs for a process that ends by a signal, and the
 * destination's own flushSync skips a write under way, which the signal would then cut off.
 */
export async function flushLog(logger: Pino, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((done) => logger.flush(() => done())),
    new Promise<void>((done) => (timer = setTimeout(done, timeoutMs))),
  ]);
  clearTimeout(timer);
}

/**
 * The logger of the one line per request (app.setup.ts): its fields are fixed (request id, method, route
 * pattern, status, duration) and never carry a secret, so it skips the redaction the other lines get,
 * which costs more than the rest of the line. Same destination, level and base fields as `logger`.
 */
export function createAccessLogger(logger: Pino): Pino {
  return logger.child({}, { redact: { paths: [] } });
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger (Fastify's `request.log`), made only when something logs through it. Fastify asks
 * for one per request, and a pino child with redaction costs a few microseconds and a few KB even when
 * nothing is ever written, which is what almost every request does (the request line has its own logger).
 */
export class LazyRequestLogger {
  private made?: Pino;

  constructor(
    private readonly parent: Pino,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): Pino {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }
  isLevelEnabled(level: string): boolean {
    return this.made ? this.made.isLevelEnabled(level) : this.options.level === undefined ? this.parent.isLevelEnabled(level) : this.real.isLevelEnabled(level);
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): Pino {
    return this.real.child(bindings, options);
  }
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    (this.real[level] as (...rest: unknown[]) => void)(...args);
  }
}

/** Fastify's `childLoggerFactory`: request loggers that cost nothing until they are used. */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger as Pino, bindings, options) as unknown as FastifyBaseLogger;
}

/** Lets Nest's Logger write structured lines through the same pino instance as Fastify. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]) {
    // Nest appends the logger's context as the last string argument.
    const strings = rest.filter((part): part is string => typeof part === 'string');
    const context = strings.length ? strings[strings.length - 1] : undefined;
    const extra = strings.slice(0, -1).join(' ') || undefined;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      this.pino[level]({ ...(message as object), context }, extra);
    } else if (message instanceof Error) {
      this.pino[level]({ err: message, context }, extra ?? message.message);
    } else {
      this.pino[level]({ context }, extra ? `${String(message)} ${extra}` : String(message));
    }
  }
}
