/**
 * A metric fit as a job: the fitMetric mutation starts one, and so does the server itself when a
 * collection's fit went stale (the refit policy of service/fit-freshness.ts).
 */
import type { OpenCollection } from '../service/collections.js';
import type { FitRequest } from '../service/fit-port.js';
import { searchDefaultsOf } from '../service/search-config.js';
import type { ImsearchService } from '../service/service.js';
import type { JobRecord, JobRegistry } from './jobs.js';

export function startFitJob(parts: { service: ImsearchService; jobs: JobRegistry }, collection: string, request: FitRequest, target: string): JobRecord {
  return parts.jobs.start('FIT_METRIC', collection, target, (work) => work(), async (job) => {
    const t0 = performance.now();
    job.progress({ done: 0, total: 0 });
    const { collection: c, report } = await parts.service.fit(collection, request, {
      signal: job.signal,
      onProgress: (p) => {
        job.progress({ done: p.evaluated, total: 0 });
        if (p.best) job.job.message = `cross-validating: ${p.evaluated} settings evaluated, best so far ${p.best.method} (pcaDim ${p.best.pcaDim}) MAP@10 ${p.best.map.toFixed(4)}`;
      },
    });
    const evaluated = report.cv.table.length + report.cv.rerankTable.length;
    job.progress({ done: evaluated, total: evaluated });
    const s = report.cv.scores;
    return {
      fit: report,
      message:
        `${report.cv.params.method} (pcaDim ${report.cv.params.pcaDim}, ${report.defaults.mode}) chosen from ${evaluated} settings: ` +
        `CV MAP@10 ${s.reranked.map.toFixed(4)} (metric ${s.metric.map.toFixed(4)}, cosine ${s.baseline.map.toFixed(4)}); ` +
        `index ${c.searcher.indexSpec} over ${c.searcher.size} items; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    };
  });
}

/**
 * After a write: when the collection's fit is stale, fit it again as a job (same mode, one split),
 * unless a fit of it is already queued or running. Never throws: a refit that cannot start
 * (e.g. the labels no longer support one) is logged and the collection says it is stale.
 */
export async function refitWhenStale(parts: { service: ImsearchService; jobs: JobRegistry }, c: OpenCollection, log: (line: string) => void): Promise<JobRecord | null> {
  try {
    const freshness = await c.fitFreshness();
    if (!freshness?.stale) return null;
    const busy = parts.jobs.list().some((j) => j.kind === 'FIT_METRIC' && j.collection === c.name && (j.state === 'QUEUED' || j.state === 'RUNNING'));
    if (busy) return null;
    const request: FitRequest = { mode: searchDefaultsOf(c.manifest.searchDefaults).mode, folds: 1 };
    await parts.service.checkFit(c.name, request);
    const changed = freshness.itemsChanged === null ? 'an unknown number of items' : `${freshness.itemsChanged} of ${freshness.fittedItems} items`;
    log(`collection ${c.name}: ${changed} changed since its metric was fitted; refitting (job started by the server)`);
    return startFitJob(parts, c.name, request, `mode=${request.mode} folds=1 (refit: ${changed} changed since the fit)`);
  } catch (err) {
    log(`collection ${c.name}: its fit is stale but no refit could start: ${(err as Error).message}`);
    return null;
  }
}
