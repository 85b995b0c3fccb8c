// Preload (`node --import ./bench/floor/gc-stats.mjs server.js`) that counts a server's garbage
// collections and what its young collections promote, for the floor bench to report per measured load.
// Every 250 ms it writes running totals to the file named by GC_STATS_FILE (JSON): young and full
// collections, bytes promoted, and the main thread's time in collections; and where the heap's resident
// memory is at that moment (MiB resident per V8 heap space, MiB in use, and external memory: buffers).
//
// Promoted bytes are read from v8.GCProfiler, which reports each collection with the heap's spaces before
// and after it: what a young collection adds to the old generation (regular and large objects) is what
// it promoted. Concurrent sweeping frees old-generation memory meanwhile, so the figure reads low: about
// two thirds of V8's own count (`--trace-gc-nvp`'s promoted=), 27 against 40 KB per request on the slot
// route for either server in a check, with the same counts of collections. The same instrument measures
// both servers.
//
// Why the bench reports it: a slot route that promoted three times the floor's bytes per request ran
// twice its full collections, each marking a heap four times the floor's, and that was the whole p99
// gap (bench/README.md, "Promotion").
import { renameSync, writeFileSync } from 'node:fs';
import { GCProfiler, getHeapSpaceStatistics } from 'node:v8';

const file = process.env.GC_STATS_FILE;
if (file) {
  const OLD_SPACES = new Set(['old_space', 'large_object_space']);
  const oldBytes = (snapshot) =>
    snapshot.heapSpaceStatistics.reduce((sum, space) => sum + (OLD_SPACES.has(space.spaceName) ? space.spaceUsedSize : 0), 0);
  const totals = { young: 0, full: 0, promotedBytes: 0, pauseMs: 0 };
  const profiler = new GCProfiler();
  profiler.start();
  setInterval(() => {
    const { statistics } = profiler.stop();
    profiler.start();
    for (const gc of statistics) {
      totals.pauseMs += gc.cost / 1000;
      if (gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkSweep') {
        totals.young++;
        totals.promotedBytes += Math.max(0, oldBytes(gc.afterGC) - oldBytes(gc.beforeGC));
      } else if (gc.gcType === 'MarkSweepCompact') {
        totals.full++;
      }
    }
    const spaces = getHeapSpaceStatistics();
    const mib = (bytes) => +(bytes / 1048576).toFixed(1);
    totals.heapResidentMiB = Object.fromEntries(spaces.map((space) => [space.space_name, mib(space.physical_space_size)]));
    totals.heapUsedMiB = mib(spaces.reduce((sum, space) => sum + space.space_used_size, 0));
    // Memory outside the heap that V8 accounts for: buffers' backing stores and the like.
    totals.externalMiB = mib(process.memoryUsage().external);
    // Written aside and renamed over the file, so that the bench never reads a half-written one.
    writeFileSync(`${file}.tmp`, JSON.stringify(totals));
    renameSync(`${file}.tmp`, file);
  }, 250).unref();
}
