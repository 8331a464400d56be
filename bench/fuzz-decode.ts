/**
 * The long decoder fuzz run (the short one is test/engine/fuzz-decode.test.ts): seeded
 * mutations of valid JPEG, PNG, WebP and GIF bytes, each decoded under a 5 s deadline. Prints
 * counts by outcome and every finding (an error outside the vocabulary, a hang) with its case
 * number, which replays it with the same --seed. Exits 1 on any finding.
 *
 *   node dist/bench/fuzz-decode.js [--cases 5000] [--seed 1]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fuzzDecode } from '../test/helpers/fuzz-images.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '5000' }, seed: { type: 'string', default: '1' } } });
const cases = Math.min(1_000_000, Number(values.cases));
const seed = Number(values.seed);
const t0 = performance.now();
const { counts, findings, maxMs } = await fuzzDecode(cases, seed);
process.stdout.write(
  `${JSON.stringify(
    {
      machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      date: new Date().toISOString(),
      cases,
      seed,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      slowestCaseMs: Math.round(maxMs),
      counts,
      findings,
    },
    null,
    2,
  )}\n`,
);
process.exitCode = findings.length ? 1 : 0;
