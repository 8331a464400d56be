/**
 * The decoder fuzzer shared by test/engine/fuzz-decode.test.ts (a short run) and
 * bench/fuzz-decode.ts (a long one): seeded mutations of valid JPEG, PNG, WebP and GIF bytes,
 * each decoded under a deadline. A case passes when it decodes or is refused with an
 * ImageDecodeError carrying a known reason; anything else (another error, a hang) is a finding.
 */
import { DECODE_FAILURES, ImageDecodeError } from '../../models/image/decode-error.js';
import { decodeImage } from '../../models/image/decode.js';
import { type SeedFormat, seedImage } from './image-seeds.js';
import { seededUniform } from './random-vectors.js';


export const SEED_FORMATS: readonly SeedFormat[] = ['jpeg', 'png', 'webp', 'gif'];

export async function makeSeeds(): Promise<Buffer[]> {
  return Promise.all(SEED_FORMATS.flatMap((f) => [seedImage(f), seedImage(f, 17, 93)]));
}

/** One to four mutations of a seed: bit flips, byte runs, cuts, splices, duplicated or dropped spans. */
export function mutate(seed: Buffer, random: () => number): Buffer {
  let b = Buffer.from(seed);
  const at = () => Math.floor(random() * b.length);
  const steps = 1 + Math.floor(random() * 4);
  for (let s = 0; s < steps && b.length > 0; s++) {
    const op = Math.floor(random() * 7);
    if (op === 0) b[at()] ^= 1 << Math.floor(random() * 8);
    else if (op === 1) {
      const i = at();
      b.fill(Math.floor(random() * 256), i, Math.min(b.length, i + 1 + Math.floor(random() * 16)));
    }
    else if (op === 2) b = b.subarray(0, at());
    else if (op === 3) b[at()] = [0x00, 0xff, 0x7f, 0x80][Math.floor(random() * 4)];
    else if (op === 4) {
      const i = at();
      b = Buffer.concat([b.subarray(0, i), b.subarray(i, i + 1 + Math.floor(random() * 64)), b.subarray(i)]);
    } else if (op === 5) {
      const i = at();
      b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1 + Math.floor(random() * 64))]);
    } else {
      // Header fields (sizes, lengths) live in the first bytes: hit them harder.
      b[Math.floor(random() * Math.min(b.length, 64))] = Math.floor(random() * 256);
    }
  }
  return b;
}

export interface CaseResult {
  outcome: 'ok' | string;
  ms: number;
  /** A finding: an error outside the vocabulary, or a deadline passed. */
  finding?: string;
}

/** Decodes one input under `deadlineMs`. */
export async function decodeCase(input: Buffer, deadlineMs: number): Promise<CaseResult> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), deadlineMs)));
  try {
    const r = await Promise.race([decodeImage(input).then(() => 'ok' as const), deadline]);
    const ms = performance.now() - t0;
    return r === 'hang' ? { outcome: 'hang', ms, finding: `no answer within ${deadlineMs} ms` } : { outcome: 'ok', ms };
  } catch (err) {
    const ms = performance.now() - t0;
    if (err instanceof ImageDecodeError && DECODE_FAILURES.includes(err.reason)) return { outcome: err.reason, ms };
    return { outcome: 'error', ms, finding: `${(err as Error).name}: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `cases` seeded cases; returns counts by outcome and the findings with their case numbers. */
export async function fuzzDecode(cases: number, seed: number, deadlineMs = 5000): Promise<{ counts: Record<string, number>; findings: { n: number; finding: string }[]; maxMs: number }> {
  const seeds = await makeSeeds();
  const random = seededUniform(seed);
  const counts: Record<string, number> = {};
  const findings: { n: number; finding: string }[] = [];
  let maxMs = 0;
  for (let n = 0; n < cases; n++) {
    const input = mutate(seeds[n % seeds.length], random);
    const r = await decodeCase(input, deadlineMs);
    counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    maxMs = Math.max(maxMs, r.ms);
    if (r.finding) findings.push({ n, finding: r.finding });
  }
  return { counts, findings, maxMs };
}
