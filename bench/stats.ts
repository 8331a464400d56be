/** Medians, percentiles, rotation order and the machine line of the benchmarks. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

export const median = (xs: readonly number[]) => percentile(xs, 0.5);

export function machine(): string {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    model = /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() ?? model;
  } catch {
    // no lscpu: os.cpus() model
  }
  return `${model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
}

/** Samples the 1-minute load average while the benchmark runs. */
export function loadSampler(): { stop: () => { min: number; median: number; max: number } } {
  const xs: number[] = [os.loadavg()[0]!];
  const t = setInterval(() => xs.push(os.loadavg()[0]!), 5000);
  t.unref();
  return {
    stop() {
      clearInterval(t);
      return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs) };
    },
  };
}

/** The same work in a rotating order per round, so drifting background load hits all alike. */
export function rotated<T>(xs: readonly T[], round: number): T[] {
  const r = round % xs.length;
  return [...xs.slice(r), ...xs.slice(0, r)];
}
