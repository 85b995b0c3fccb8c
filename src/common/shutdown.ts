import { Logger, ShutdownSignal, type INestApplicationContext } from '@nestjs/common';
import type { Logger as Pino } from 'pino';
import { flushLog } from './logging/logger.js';

/**
 * What `app.enableShutdownHooks()` does, on the same signals, with one step more. A signal closes the app
 * (the server stops accepting, in-flight requests and jobs finish, the database closes), then the log
 * writes out the lines it still holds, and only then is the signal raised again so the process ends the
 * way it was asked to. Nest re-raises it as soon as the hooks return: the process died with the last
 * quarter second of batched lines unwritten (the final requests' lines, "Job worker stopped"), because
 * pino's exit flush never runs for a process ended by a signal.
 */
export function closeOnSignals(app: INestApplicationContext, log: Pino): void {
  const signals = Object.values(ShutdownSignal) as NodeJS.Signals[];
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Still listening while closing, so a second signal waits for the first close instead of killing
    // the process halfway through it.
    if (closing) return;
    closing = true;
    void app.close().then(
      async () => {
        await flushLog(log);
        for (const each of signals) process.removeListener(each, onSignal);
        process.kill(process.pid, signal);
      },
      async (error: unknown) => {
        new Logger('Shutdown').error({ err: error, signal }, 'Shutdown failed');
        await flushLog(log);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
