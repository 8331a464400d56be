/**
 * GET /metrics in the Prometheus text exposition format (version 0.0.4), written from the
 * server's own Metrics snapshot. prom-client is not a dependency: it would keep a second copy of
 * numbers Metrics already keeps (latency rings, the event-loop histogram) for a handful of
 * families, so the snapshot is rendered here instead.
 */
import type { MetricsSnapshot, SeriesSummary } from './timing.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface JobCounts {
  total: number;
  running: number;
}

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function sample(name: string, labels: Labels, value: number): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${l.length ? `{${l.join(',')}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`;
}

function family(name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: string[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples];
}

/** A latency series as a summary in seconds: quantiles over the recent ring, sum and count over all. */
function summarySamples(name: string, labels: Labels, s: SeriesSummary): string[] {
  const quantiles: [string, number | null][] = [['0.5', s.p50Ms], ['0.9', s.p90Ms], ['0.99', s.p99Ms]];
  return [
    ...quantiles.filter(([, ms]) => ms !== null).map(([q, ms]) => sample(name, { ...labels, quantile: q }, (ms as number) / 1000)),
    sample(`${name}_sum`, labels, s.sumMs / 1000),
    sample(`${name}_count`, labels, s.count),
  ];
}

export function prometheusText(m: MetricsSnapshot, jobs: JobCounts): string {
  const ops = Object.entries(m.operations);
  const stages = Object.entries(m.stages) as [string, SeriesSummary][];
  const lines = [
    ...family('imsearch_graphql_requests_total', 'counter', 'GraphQL operations answered, by operation name.', ops.map(([op, s]) => sample('imsearch_graphql_requests_total', { operation: op }, s.count))),
    ...family('imsearch_graphql_errors_total', 'counter', 'GraphQL operations answered with errors, by operation name.', ops.map(([op, s]) => sample('imsearch_graphql_errors_total', { operation: op }, s.errors))),
    ...family('imsearch_graphql_duration_seconds', 'summary', 'Time to answer a GraphQL operation (quantiles over the last 4096 per operation).', ops.flatMap(([op, s]) => summarySamples('imsearch_graphql_duration_seconds', { operation: op }, s))),
    ...family('imsearch_stage_duration_seconds', 'summary', 'Time spent per request in a stage: upload, embed (decode and inference), search.', stages.flatMap(([st, s]) => summarySamples('imsearch_stage_duration_seconds', { stage: st.replace(/Ms$/, '') }, s))),
    ...family('imsearch_event_loop_delay_seconds', 'gauge', `Event-loop delay of the serving thread (sampled every ${m.eventLoopDelay.resolutionMs} ms, which the values include).`, [
      sample('imsearch_event_loop_delay_seconds', { quantile: '0.5' }, m.eventLoopDelay.p50Ms / 1000),
      sample('imsearch_event_loop_delay_seconds', { quantile: '0.99' }, m.eventLoopDelay.p99Ms / 1000),
      sample('imsearch_event_loop_delay_seconds', { quantile: '1' }, m.eventLoopDelay.maxMs / 1000),
    ]),
    ...family('imsearch_memory_bytes', 'gauge', 'Memory of the server process by kind (rss, heap_used, external, array_buffers).', [
      sample('imsearch_memory_bytes', { kind: 'rss' }, m.memory.rssBytes),
      sample('imsearch_memory_bytes', { kind: 'heap_used' }, m.memory.heapUsedBytes),
      sample('imsearch_memory_bytes', { kind: 'external' }, m.memory.externalBytes),
      sample('imsearch_memory_bytes', { kind: 'array_buffers' }, m.memory.arrayBuffersBytes),
    ]),
    ...family('imsearch_uptime_seconds', 'gauge', 'Seconds since the server started.', [sample('imsearch_uptime_seconds', {}, m.uptimeSeconds)]),
    ...family('imsearch_jobs', 'gauge', 'Jobs the server knows (finished ones included), and those running.', [
      sample('imsearch_jobs', { state: 'all' }, jobs.total),
      sample('imsearch_jobs', { state: 'running' }, jobs.running),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}
