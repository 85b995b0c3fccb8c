// `node --import ./scripts/ts-register.mjs test/setup/hold-data-dir-lock.ts <folder>`: takes the embedded
// database folder's lock as a Calento process would, says so, and holds it until it is killed.
import { lockDataDir } from '../../src/db/data-dir-lock.js';

const folder = process.argv[2];
try {
  await lockDataDir(folder);
  process.stdout.write(`locked ${process.pid}\n`);
  setInterval(() => undefined, 60_000);
} catch (error) {
  process.stdout.write(`refused: ${(error as Error).message}\n`);
  process.exit(1);
}
