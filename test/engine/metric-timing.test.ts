/**
 * The metric fit at full gallery scale (5,784 x 2,500): seconds of CPU, so it lives in the engine
 * tier, not the unit tier. Timings are printed, not asserted.
 */
import { describe, it } from 'node:test';
import { Metric, fitMetric, kernelKind, type MetricParams } from '../../metric/index.js';
import { Rng } from '../../metric/random.js';

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.normal());
}

describe('timing (printed, not asserted)', () => {
  it('fits on a random 5,784 × 2,500 matrix', () => {
    const n = 5784, d = 2500;
    const X = randomMatrix(n, d, 1);
    const labels = Array.from({ length: n }, (_, i) => `c${i % 101}`);
    const lines: string[] = [`kernel: ${kernelKind()}`];
    for (const params of [{ method: 'pca', pcaDim: 256 }, { method: 'kissme', pcaDim: 256 }, { method: 'jointBayesian', pcaDim: 128 }] as MetricParams[]) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const a = fitMetric(X, d, labels, params);
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      new Metric(a).transform(X);
      const t2 = performance.now();
      const cpu = (c1.user + c1.system) / 1e6;
      lines.push(`${JSON.stringify(params)}: fit ${((t1 - t0) / 1000).toFixed(2)} s wall (${cpu.toFixed(2)} s CPU), transform all ${((t2 - t1) / 1000).toFixed(2)} s → ${a.outputDim} dims`);
    }
    console.log(lines.map((l) => `  # ${l}`).join('\n'));
  });
});
