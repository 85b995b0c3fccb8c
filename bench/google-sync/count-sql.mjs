// Preload (`node --import ./bench/google-sync/count-sql.mjs dist/main.js`) that counts every statement the
// app sends its database: pg.Client#query (PostgreSQL, BEGIN/COMMIT included) and PGlite#query/#exec
// (embedded). Statements run while an HTTP request is being handled are counted apart from the rest
// (background jobs such as the Google sync), so the bench's own status polls do not inflate the sync's
// figure. With SQL_COUNT_FILE set (any value), GET /__bench/sql-counts answers the counters as JSON,
// before the app sees the request (a signal would not do: Nest's shutdown hooks take SIGUSR2).
import { AsyncLocalStorage } from 'node:async_hooks';
import { Server } from 'node:http';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

const file = process.env.SQL_COUNT_FILE;
if (file) {
  const inRequest = new AsyncLocalStorage();
  const counts = { background: 0, http: 0, byKind: {} };
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (event, ...rest) {
    if (event === 'request' && rest[0].url === '/__bench/sql-counts') {
      rest[1].writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
      return true;
    }
    if (event === 'request') return inRequest.run(true, () => emit.call(this, event, ...rest));
    return emit.call(this, event, ...rest);
  };
  const count = (config) => {
    const text = typeof config === 'string' ? config : config?.text ?? '';
    if (inRequest.getStore()) {
      counts.http += 1;
      return;
    }
    counts.background += 1;
    const kind = /^\s*(?:WITH\b[\s\S]*?\)\s*)?(\w+)(?:\s+(?:INTO|FROM)?\s*(\w+))?/i.exec(text);
    const key = kind ? `${kind[1].toUpperCase()} ${kind[2] ?? ''}`.trim() : '?';
    counts.byKind[key] = (counts.byKind[key] ?? 0) + 1;
  };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, callback) {
    count(config);
    return query.call(this, config, values, callback);
  };
  for (const method of ['query', 'exec']) {
    const original = PGlite.prototype[method];
    PGlite.prototype[method] = function (text, ...rest) {
      count(text);
      return original.call(this, text, ...rest);
    };
  }
}
