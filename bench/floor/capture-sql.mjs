// Preload (`node --import ./bench/floor/capture-sql.mjs server.js`) that records every SQL statement a
// request runs, with its parameters, when the request carries `x-capture-sql: <label>`: one JSON line per
// statement appended to the file named by CAPTURE_SQL_FILE. Requests without the header pay one header
// lookup. The floor bench loads both servers with it, so it can check that they send PostgreSQL the same
// statements with the same values for the same request, and the floor takes its SQL texts from what
// Calento ran (so the floor follows Calento's SQL when it changes).
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { Server } from 'node:http';
import pg from 'pg';

const file = process.env.CAPTURE_SQL_FILE;
if (file) {
  const current = new AsyncLocalStorage();
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (event, req, ...rest) {
    const label = event === 'request' ? req.headers['x-capture-sql'] : undefined;
    if (typeof label === 'string') return current.run(label, () => emit.call(this, event, req, ...rest));
    return emit.call(this, event, req, ...rest);
  };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, callback) {
    const label = current.getStore();
    if (label !== undefined) {
      const text = typeof config === 'string' ? config : config.text;
      const params = (typeof config === 'object' && config.values) || (Array.isArray(values) ? values : []);
      appendFileSync(file, `${JSON.stringify({ label, text, values: params })}\n`);
    }
    return query.call(this, config, values, callback);
  };
}
