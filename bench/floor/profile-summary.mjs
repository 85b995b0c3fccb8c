// node bench/floor/profile-summary.mjs <file.cpuprofile> [top]: self time by package and by function.
import { readFileSync } from 'node:fs';

export function summarise(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map();
  for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, count] of hits) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const where = url.includes('node_modules/')
      ? url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
      : url.includes('/dist/')
        ? `calento:${url.replace(/.*\/dist\//, '').replace(/\/[^/]+$/, '')}`
        : url.startsWith('node:') ? 'node' : url.includes('/bench/') ? 'bench' : functionName || '(native)';
    byPackage.set(where, (byPackage.get(where) ?? 0) + count);
    const name = `${functionName || '(anonymous)'} ${url.includes('node_modules/') ? url.replace(/.*node_modules\//, '') : url.replace(/.*\/dist\//, 'calento:')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + count);
  }
  const total = profile.samples.length;
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, count]) => ({ name, share: +((100 * count) / total).toFixed(1) }));
  return { samples: total, seconds: (profile.endTime - profile.startTime) / 1e6, packages: top(byPackage, 25), functions: top(byFunction, 40) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const summary = summarise(process.argv[2]);
  const n = Number(process.argv[3] ?? 40);
  console.log(`${summary.samples} samples over ${summary.seconds.toFixed(1)} s`);
  console.log('--- self time by package');
  for (const { name, share } of summary.packages) console.log(`${String(share).padStart(5)}%  ${name}`);
  console.log('--- self time by function');
  for (const { name, share } of summary.functions.slice(0, n)) console.log(`${String(share).padStart(5)}%  ${name}`);
}

/** Share of samples whose stack holds a frame whose url or function name contains `needle` (inclusive time). */
export function inclusiveShare(file, needle) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const memo = new Map();
  const holds = (id) => {
    if (memo.has(id)) return memo.get(id);
    const { url, functionName } = nodes.get(id).callFrame;
    const result = url.includes(needle) || functionName === needle || (parent.has(id) ? holds(parent.get(id)) : false);
    memo.set(id, result);
    return result;
  };
  const hits = profile.samples.filter((id) => holds(id)).length;
  return +((100 * hits) / profile.samples.length).toFixed(1);
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[4]) {
  for (const needle of process.argv.slice(4)) console.log(`inclusive ${needle}: ${inclusiveShare(process.argv[2], needle)}%`);
}
