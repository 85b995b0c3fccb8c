// Preload for `floor.bench.mjs --profile <dir>`: SIGWINCH starts the V8 CPU profiler, the next SIGWINCH
// stops it and writes <dir>/<pid>-<n>.cpuprofile (open in Chrome DevTools, or summarise with
// bench/floor/profile-summary.mjs). SIGWINCH because Nest's shutdown hooks own SIGUSR2.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  let running = false;
  let count = 0;
  process.on('SIGWINCH', async () => {
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 });
      await post('Profiler.start');
    } else {
      running = false;
      const { profile } = await post('Profiler.stop');
      writeFileSync(join(dir, `${process.pid}-${++count}.cpuprofile`), JSON.stringify(profile));
    }
  });
}
