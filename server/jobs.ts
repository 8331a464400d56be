/**
 * Long work (indexing a server-side folder, rebuilding an index, fitting a metric) runs as a job: the mutation
 * returns at once with the job's id, the job reports progress (done / total / failed, with each
 * failed file and why) through the `job(id)` query. Jobs report, they don't throw: a bad file is
 * a counted outcome; only a failure of the whole job (e.g. the index cannot be built) ends it
 * FAILED, with the message. Jobs live in memory: a restart forgets them (the work they committed
 * stays, and re-running an index job resumes: indexed files are skipped by content hash).
 */
import { randomUUID } from 'node:crypto';
import type { FitReport } from '../search/metric-fit.js';
import { toApiError } from './errors.js';

export type JobKind = 'INDEX_FOLDER' | 'REBUILD_INDEX' | 'FIT_METRIC';
export type JobState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface JobFailure {
  path: string;
  reason: string;
  message: string;
}

export interface JobRecord {
  readonly id: string;
  readonly kind: JobKind;
  readonly collection: string;
  /** What the job works on: the folder, the new index spec, or the fit's options. */
  readonly target: string;
  state: JobState;
  done: number;
  total: number;
  failures: JobFailure[];
  added: number;
  unchanged: number;
  /** Why the job FAILED, or a summary when it SUCCEEDED (progress while it runs, for some kinds). */
  message: string | null;
  /** The API error code when the job FAILED (INTERNAL_SERVER_ERROR for an unexpected failure). */
  code: string | null;
  /** A FIT_METRIC job's validation report, once it SUCCEEDED. */
  fit: FitReport | null;
  readonly createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface JobHandle {
  readonly job: JobRecord;
  /** Aborted when the server stops: work that can be cancelled safely listens to it. */
  readonly signal: AbortSignal;
  progress(p: { done: number; total: number }): void;
  fail(f: JobFailure): void;
}

const KEEP_FINISHED = 200;

export class JobRegistry {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly log: (line: string) => void = () => undefined) {}

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  list(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /**
   * Registers a job and starts it: `schedule` decides when the work runs (e.g. behind the
   * collection's write lock); the job is QUEUED until then.
   */
  start(
    kind: JobKind,
    collection: string,
    target: string,
    schedule: (work: () => Promise<void>) => Promise<void>,
    work: (handle: JobHandle) => Promise<{ added?: number; unchanged?: number; message?: string; fit?: FitReport } | void>,
  ): JobRecord {
    const job: JobRecord = {
      id: randomUUID(),
      kind,
      collection,
      target,
      state: 'QUEUED',
      done: 0,
      total: 0,
      failures: [],
      added: 0,
      unchanged: 0,
      message: null,
      code: null,
      fit: null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    this.prune();
    const handle: JobHandle = {
      job,
      signal: this.stopping.signal,
      progress: (p) => {
        job.done = p.done;
        job.total = p.total;
      },
      fail: (f) => {
        job.failures.push(f);
      },
    };
    const run = schedule(async () => {
      job.state = 'RUNNING';
      job.startedAt = new Date();
      try {
        const out = await work(handle);
        job.added = out?.added ?? job.added;
        job.unchanged = out?.unchanged ?? job.unchanged;
        job.message = out?.message ?? null;
        job.fit = out?.fit ?? null;
        job.state = 'SUCCEEDED';
      } catch (err) {
        job.state = 'FAILED';
        job.message = (err as Error).message ?? String(err);
        job.code = toApiError(err)?.code ?? toApiError((err as Error).cause)?.code ?? 'INTERNAL_SERVER_ERROR';
        this.log(`job ${job.id} (${kind} ${collection}) failed: ${(err as Error).stack ?? job.message}`);
      } finally {
        job.finishedAt = new Date();
      }
    }).catch(() => undefined);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return job;
  }

  /** At shutdown: cancels the work that listens to the signal (metric fits), then waits for every job. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  /** Resolves when every started job has finished (used at shutdown and in tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private prune(): void {
    const finished = this.list().filter((j) => j.finishedAt !== null);
    for (const j of finished.slice(KEEP_FINISHED)) this.jobs.delete(j.id);
  }
}
