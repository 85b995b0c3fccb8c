import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
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
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
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
