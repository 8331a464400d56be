/**
 * Per-request timing and process metrics. Resolvers add the time of their stages (receiving the
 * upload, decode + embed, index search) to the request's RequestTiming; an Apollo plugin puts the
 * totals in the response's `extensions.timing` and feeds the server-wide Metrics that
 * GET /metrics reports (per operation: count, errors, latency percentiles; event-loop delay;
 * memory).
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';

export type Stage = 'uploadMs' | 'embedMs' | 'searchMs';

export class RequestTiming {
  readonly started = performance.now();
  readonly stages: Partial<Record<Stage, number>> = {};

  add(stage: Stage, ms: number): void {
    this.stages[stage] = (this.stages[stage] ?? 0) + ms;
  }

  /** Times `work` as `stage`. */
  async time<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, performance.now() - t0);
    }
  }

  snapshot(): Record<string, number> {
    const round = (x: number) => Math.round(x * 1000) / 1000;
    const out: Record<string, number> = { totalMs: round(performance.now() - this.started) };
    for (const [k, v] of Object.entries(this.stages)) out[k] = round(v);
    return out;
  }
}

export interface SeriesSummary {
  count: number;
  errors: number;
  sumMs: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface MetricsSnapshot {
  uptimeSeconds: number;
  operations: Record<string, SeriesSummary>;
  stages: Partial<Record<Stage, SeriesSummary>>;
  eventLoopDelay: { resolutionMs: number; minMs: number; meanMs: number; p50Ms: number; p99Ms: number; maxMs: number; samples: number };
  memory: { rssBytes: number; heapUsedBytes: number; externalBytes: number; arrayBuffersBytes: number };
}

/** Latencies of one operation, kept in a bounded ring for percentiles. */
class Series {
  count = 0;
  errors = 0;
  /** Sum of every latency recorded (not only the ring's): Prometheus summaries report it. */
  sumMs = 0;
  private readonly ring: number[] = [];
  private next = 0;

  constructor(private readonly capacity = 4096) {}

  record(ms: number, failed: boolean): void {
    this.count++;
    this.sumMs += ms;
    if (failed) this.errors++;
    if (this.ring.length < this.capacity) this.ring.push(ms);
    else this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
  }

  summary(): SeriesSummary {
    const sorted = [...this.ring].sort((a, b) => a - b);
    const q = (p: number) => (sorted.length ? round3(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]) : null);
    return { count: this.count, errors: this.errors, sumMs: round3(this.sumMs), p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: sorted.length ? round3(sorted[sorted.length - 1]) : null };
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export class Metrics {
  private readonly operations = new Map<string, Series>();
  private readonly stages = new Map<Stage, Series>();
  private readonly loop: IntervalHistogram;
  private readonly startedAt = Date.now();

  /** Event-loop delay is sampled every `resolutionMs`; the recorded values include that interval. */
  constructor(readonly resolutionMs = 10) {
    this.loop = monitorEventLoopDelay({ resolution: resolutionMs });
    this.loop.enable();
  }

  record(operation: string, timing: RequestTiming, failed: boolean): void {
    const total = performance.now() - timing.started;
    let s = this.operations.get(operation);
    if (!s) this.operations.set(operation, (s = new Series()));
    s.record(total, failed);
    for (const [stage, ms] of Object.entries(timing.stages) as [Stage, number][]) {
      let st = this.stages.get(stage);
      if (!st) this.stages.set(stage, (st = new Series()));
      st.record(ms, false);
    }
  }

  /** Starts a new event-loop-delay window (e.g. at the start of a load run). */
  resetEventLoop(): void {
    this.loop.reset();
  }

  snapshot(): MetricsSnapshot {
    const ns = (x: number) => round3(x / 1e6);
    const mem = process.memoryUsage();
    return {
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      operations: Object.fromEntries([...this.operations].map(([k, v]) => [k, v.summary()])),
      stages: Object.fromEntries([...this.stages].map(([k, v]) => [k, v.summary()])),
      eventLoopDelay: {
        resolutionMs: this.resolutionMs,
        minMs: ns(this.loop.min),
        meanMs: ns(this.loop.mean),
        p50Ms: ns(this.loop.percentile(50)),
        p99Ms: ns(this.loop.percentile(99)),
        maxMs: ns(this.loop.max),
        samples: this.loop.count,
      },
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, externalBytes: mem.external, arrayBuffersBytes: mem.arrayBuffers },
    };
  }

  close(): void {
    this.loop.disable();
  }
}

/**
 * The Apollo plugin: `extensions.timing` on every single-result response, and one metrics record
 * per operation.
 */
export function timingPlugin(metrics: Metrics): ApolloServerPlugin<{ timing: RequestTiming }> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operationName, operation, errors }) {
          const timing = contextValue.timing;
          const name = operationName ?? operation?.name?.value ?? operation?.operation ?? 'unparsed';
          metrics.record(name, timing, !!errors?.length || (response.body.kind === 'single' && !!response.body.singleResult.errors?.length));
          if (response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, timing: timing.snapshot() };
          }
        },
      };
    },
  };
}
