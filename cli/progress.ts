import cliProgress from 'cli-progress';
import type { IndexProgress } from '../service/indexing.js';

/** A progress bar on a terminal; on a pipe, a line every few seconds so logs stay readable. */
export function progressReporter(label: string): { update: (p: IndexProgress) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% | {rate} img/s | failed {failed} | eta {eta_formatted}`, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    const start = performance.now();
    let started = false;
    return {
      update(p) {
        const rate = (p.done / Math.max(1e-3, (performance.now() - start) / 1000)).toFixed(0);
        if (!started) {
          bar.start(p.total, p.done, { failed: p.failed, rate });
          started = true;
        } else bar.update(p.done, { failed: p.failed, rate });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = performance.now();
      if (now - last > 5000 || p.done === p.total) {
        last = now;
        process.stderr.write(`${label}: ${p.done}/${p.total} (failed ${p.failed})\n`);
      }
    },
    stop() {},
  };
}
