import { describe, expect, it } from '@jest/globals';
import type { Logger } from 'pino';
import { createAccessLogger, createLogger, isoTimestamp, LazyRequestLogger, lazyChildLoggerFactory } from '../../src/common/logging/logger.js';

function capture(level: 'info' | 'warn' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ logLevel: level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('request loggers', () => {
  it('makes no child logger until something logs, then logs with the request id and redacts', () => {
    const { logger, lines } = capture();
    let children = 0;
    const counting = new Proxy(logger, {
      get: (target, key) => (key === 'child' ? (...args: Parameters<Logger['child']>) => (children++, target.child(...args)) : Reflect.get(target, key)),
    });
    const log = lazyChildLoggerFactory(counting, { reqId: 'req-1' }, {}) as unknown as LazyRequestLogger;
    expect(log.isLevelEnabled('info')).toBe(true);
    expect(log.isLevelEnabled('debug')).toBe(false);
    log.debug('not written');
    expect(children).toBe(0);
    log.error({ password: 'hunter2', headers: { authorization: 'Bearer x' } }, 'failed');
    expect(children).toBe(1);
    log.warn('again');
    expect(children).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({ reqId: 'req-1', level: 50, password: '[redacted]', headers: { authorization: '[redacted]' }, msg: 'failed' }),
      expect.objectContaining({ reqId: 'req-1', level: 40, msg: 'again' }),
    ]);
  });

  it('honours a per-route level given to the factory', () => {
    const { logger, lines } = capture();
    const log = lazyChildLoggerFactory(logger, { reqId: 'req-2' }, { level: 'warn' }) as unknown as LazyRequestLogger;
    expect(log.level).toBe('warn');
    expect(log.isLevelEnabled('info')).toBe(false);
    log.info('dropped');
    log.warn('kept');
    expect(lines.map((line) => line.msg)).toEqual(['kept']);
  });

  it('writes the request line with its fixed fields, and follows the level', () => {
    const { logger, lines } = capture();
    createAccessLogger(logger).info({ reqId: 'req-3', method: 'GET', route: '/api/v1/events', status: 200, ms: 1.5 }, 'request');
    expect(lines).toEqual([expect.objectContaining({ service: 'calento', reqId: 'req-3', method: 'GET', route: '/api/v1/events', status: 200, ms: 1.5, msg: 'request' })]);
    const quiet = capture('warn');
    const access = createAccessLogger(quiet.logger);
    expect(access.isLevelEnabled('info')).toBe(false);
    access.info({ reqId: 'req-4' }, 'request');
    expect(quiet.lines).toEqual([]);
  });
});

describe('isoTimestamp', () => {
  it('writes what pino.stdTimeFunctions.isoTime writes, across seconds, milliseconds and back in time', () => {
    const instants = [
      Date.UTC(2026, 11, 3, 2, 40, 0, 0),
      Date.UTC(2026, 11, 3, 2, 40, 0, 7),
      Date.UTC(2026, 11, 3, 2, 40, 0, 42),
      Date.UTC(2026, 11, 3, 2, 40, 0, 999),
      Date.UTC(2026, 11, 3, 2, 40, 1, 0),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(2027, 0, 1, 0, 0, 0, 5),
      Date.UTC(2026, 11, 3, 2, 40, 0, 500), // an earlier second again (the clock stepped back)
      Date.UTC(1999, 0, 1, 0, 0, 0, 100),
    ];
    for (const now of instants) expect(isoTimestamp(now)).toBe(`,"time":"${new Date(now).toISOString()}"`);
  });

  it('stamps the lines the app writes', () => {
    const { logger, lines } = capture();
    const before = Date.now();
    logger.info('stamped');
    const time = Date.parse(lines[0].time as string);
    expect(lines[0].time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });
});
