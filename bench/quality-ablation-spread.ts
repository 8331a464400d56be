/**
 * The ablation's rows over several CV seeds: reads the --json files of
 * `node dist/bench/quality-ablation.js --seed N --json FILE` (one per seed; seeds 2+ may be
 * --cv-only) and prints per row the mean and min-max over the seeds, and its gain over the row it
 * builds on, with whether that gain is larger than the seed spread.
 *
 *   node dist/bench/quality-ablation-spread.js seed1.json seed2.json seed3.json
 *
 * Spread of a gain: the larger min-max range (over the seeds) of the two rows; a row without a CV
 * selection has range 0 (it does not depend on the seed). The gain "exceeds the spread" when
 * |mean gain| > that spread and the gain has the same sign on every seed.
 */
import fs from 'node:fs';

interface Row {
  seed: number;
  config: string;
  map: number | null;
  classBalancedMap: number | null;
  precisionAt1: number | null;
  note: string;
}

/** Rows matched across seeds by a stable prefix of their name (the chosen weights are in some names). */
const key = (config: string) => config.replace(/ensemble weights [^(]*\(/, 'ensemble weights (').replace(/ \(what .*$/, '');

/** Which row each row builds on (by key); absent = a baseline. */
const BUILDS_ON: [RegExp, string, string][] = [
  [/^ensemble \(3 models/, 'mobilenetv2-int8 alone, cosine', 'the best model alone'],
  [/^ensemble \+ flip TTA, cosine$/, 'ensemble (3 models, equal weights), cosine', ''],
  [/^ensemble \+ flip \+ α-QE/, 'ensemble + flip TTA, cosine', ''],
  [/^ensemble \+ flip \+ (pca|kissme|xqda|jointBayesian), transform-then-index$/, 'ensemble + flip TTA, cosine', ''],
  [/^ensemble \+ flip \+ jointBayesian \+ class vote$/, 'ensemble + flip + jointBayesian, transform-then-index', ''],
  [/^… \+ ensemble weights/, 'ensemble + flip + jointBayesian + class vote', ''],
  [/^… \+ head on pooled rows only/, '… + ensemble weights (vote re-chosen)', ''],
  [/^… \+ head with the flip views/, '… + head on pooled rows only (vote re-chosen)', ''],
  [/^… \+ head with the class prior divided out/, '… + head on pooled rows only (vote re-chosen)', ''],
  [/^FINAL/, '… + ensemble weights (vote re-chosen)', ''],
  [/^ensemble \+ flip, cosine, crop step on$/, 'ensemble + flip TTA, cosine', ''],
  [/^final selection, crop step on$/, 'FINAL', ''],
];
/** Rows compared against the row they remove something from: the gain shown is the removed part's (base − row). */
const REMOVES: [RegExp, string][] = [[/^final selection without flip TTA$/, 'FINAL']];
/** Alternatives shown against the transform-then-index row of the same method. */
const ALTERNATIVE = /^ensemble \+ flip \+ (kissme|xqda|jointBayesian), cosine shortlist 100 then re-rank$/;

const files = process.argv.slice(2);
const bySeed = files.map((f) => (JSON.parse(fs.readFileSync(f, 'utf8')) as Row[]).map((r) => ({ ...r, config: key(r.config) })));
const seeds = bySeed.map((rows) => rows[0]?.seed);
const order: string[] = [];
for (const rows of bySeed) for (const r of rows) if (!order.includes(r.config)) order.push(r.config);

const values = (config: string) => bySeed.map((rows) => rows.find((r) => r.config === config) ?? null);
const num = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const stats = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  if (!v.length) return null;
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length };
};
const f4 = (x: number) => x.toFixed(4);
const pts = (x: number) => `${x >= 0 ? '+' : '−'}${(Math.abs(x) * 100).toFixed(2)}`;
const cell = (s: ReturnType<typeof stats>) => (s === null ? 'n/a' : s.n === 1 || s.min === s.max ? `${f4(s.mean)}${s.n > 1 ? ` (same on all ${s.n} seeds)` : ''}` : `${f4(s.mean)} (${f4(s.min)}-${f4(s.max)})`);

/** Per-seed values of a row; a seed-independent row (present in seed 1 only) counts for every seed. */
function perSeed(config: string, metric: 'map' | 'classBalancedMap'): (number | null)[] {
  const rows = values(config);
  const present = rows.filter((r) => r !== null && num(r[metric]) !== null);
  if (present.length === 1 && rows.length > 1 && !isSeeded(config)) return rows.map(() => num(present[0]![metric]));
  return rows.map((r) => num(r?.[metric]));
}
function isSeeded(config: string): boolean {
  // Rows of a cross-validated selection appear in --cv-only runs; the others only in full runs.
  return !/alone, cosine$|equal weights\), cosine$|flip TTA, cosine$|crop step on$/.test(config) || /^final selection/.test(config);
}

function gain(row: string, base: string, metric: 'map' | 'classBalancedMap'): string {
  const a = perSeed(row, metric);
  const b = perSeed(base, metric);
  const diffs = a.map((x, i) => (x !== null && b[i] !== null ? x - (b[i] as number) : null)).filter((x): x is number => x !== null);
  if (!diffs.length) return 'n/a';
  const sa = stats(a)!;
  const sb = stats(b)!;
  const spread = Math.max(sa.max - sa.min, sb.max - sb.min);
  const mean = diffs.reduce((x, y) => x + y, 0) / diffs.length;
  const sameSign = diffs.every((d) => Math.sign(d) === Math.sign(mean));
  const exceeds = Math.abs(mean) > spread && sameSign;
  const range = diffs.length > 1 ? ` (${pts(Math.min(...diffs))} to ${pts(Math.max(...diffs))})` : '';
  const what = !isSeeded(row) && !isSeeded(base) ? 'both seed-independent' : `spread ${(spread * 100).toFixed(2)}`;
  return `${pts(mean)}${range}; ${what}: ${exceeds ? '**exceeds**' : 'does not exceed'}`;
}

console.log(`Seeds: ${seeds.join(', ')}. MAP@10 and class-balanced MAP@10: mean (min-max) over the seeds that ran the row; gains in MAP@10 points.\n`);
console.log('| configuration | seeded | MAP@10 | class-balanced | P@1 | builds on | gain in MAP@10 vs that row, and whether it exceeds the spread | gain in class-balanced |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const config of order) {
  const seeded = isSeeded(config);
  const m = stats(values(config).map((r) => num(r?.map)));
  const cb = stats(values(config).map((r) => num(r?.classBalancedMap)));
  const p1 = stats(values(config).map((r) => num(r?.precisionAt1)));
  let base = '';
  let g = '';
  let gcb = '';
  const builds = BUILDS_ON.find(([re]) => re.test(config));
  const removes = REMOVES.find(([re]) => re.test(config));
  if (builds) {
    base = builds[2] || builds[1];
    g = gain(config, builds[1], 'map');
    gcb = gain(config, builds[1], 'classBalancedMap');
  } else if (removes) {
    base = `${removes[1]} (gain of what it removes: ${removes[1]} − this row)`;
    g = gain(removes[1], config, 'map');
    gcb = gain(removes[1], config, 'classBalancedMap');
  } else if (ALTERNATIVE.test(config)) {
    const t = config.replace('cosine shortlist 100 then re-rank', 'transform-then-index');
    base = `${t} (alternative plug-in)`;
    g = gain(config, t, 'map');
    gcb = gain(config, t, 'classBalancedMap');
  }
  console.log(`| ${config} | ${seeded ? 'CV' : 'no (seed-independent)'} | ${cell(m)} | ${cell(cb)} | ${p1 ? f4(p1.mean) : 'n/a'} | ${base} | ${g} | ${gcb} |`);
}
