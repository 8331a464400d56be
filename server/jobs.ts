/**
 * Long work (indexing a server-side folder, rebuilding an index, fitting a metric) runs as a job: the mutation
 * returns at once with the job's id, the job reports progress (done / total / failed, with each
 * failed file and why) through the `job(id)` query and the `jobUpdated(id)` subscription (watch). Jobs report, they don't throw: a bad file is
 * a counted outcome; only a failure of the whole job (e.g. the index cannot be built) ends it
 * FAILED, with the message. The records are kept in a JSON file in the data directory, so a
 * restarted server still answers job(id); a job the previous process did not finish (killed,
 * crashed) comes back FAILED with code INTERRUPTED: the work it committed stays, and re-running an
 * index job resumes (indexed files are skipped by content hash).
 */
import { randomUUID } from 'node:crypto';
import type { SkippedFile } from '../service/indexing.js';
import type { FitReport } from '../service/metric-fit.js';
import { JobHistoryFile } from '../store/job-history.js';
import { type ErrorCode, ImsearchError } from '../errors/error-codes.js';
import { toImsearchError } from './errors.js';
import { LatestValueStream } from './latest-value-stream.js';

export type JobKind = 'INDEX_FOLDER' | 'REBUILD_INDEX' | 'FIT_METRIC';
export type JobState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface JobFailure {
  path: string;
  /** Why the decoder refused the file, or why the folder walk passed it over. */
  reason: SkippedFile['reason'];
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
  code: ErrorCode | null;
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
  /** What the job reports while it runs: items added so far, a progress message. */
  report(r: { added?: number; message?: string }): void;
}

const KEEP_FINISHED = 200;
/** Progress alone is written at most this often; state changes are written at once. */
const PROGRESS_SAVE_MS = 1000;
/** A record as the history file holds it. */
type SavedJob = Omit<JobRecord, 'createdAt' | 'startedAt' | 'finishedAt'> & { createdAt: string; startedAt: string | null; finishedAt: string | null };

export class JobRegistry {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly running = new Set<Promise<void>>();
  private readonly watchers = new Map<string, Set<LatestValueStream<JobRecord>>>();
  private readonly stopping = new AbortController();
  private writing: Promise<void> | null = null;
  private writeAgain = false;
  private lastWrite = 0;

  /** `file`: where the records are kept (null: in memory only). */
  private constructor(
    private readonly file: JobHistoryFile<JobRecord | SavedJob> | null,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Loads the records a previous process left in `file` (a missing file is an empty history; an
   * unreadable one is logged and replaced). Jobs it left QUEUED or RUNNING become FAILED/INTERRUPTED.
   */
  static async open(file: string | null, log: (line: string) => void = () => undefined): Promise<JobRegistry> {
    const history = file === null ? null : new JobHistoryFile<JobRecord | SavedJob>(file);
    const registry = new JobRegistry(history, log);
    if (history === null) return registry;
    let saved: SavedJob[];
    try {
      saved = (await history.read()) as SavedJob[];
    } catch (err) {
      log(`job history ${file} is unreadable (${(err as Error).message}); starting a new one`);
      return registry;
    }
    const now = new Date();
    let interrupted = 0;
    for (const r of saved) {
      const job: JobRecord = {
        ...r,
        createdAt: new Date(r.createdAt),
        startedAt: r.startedAt === null ? null : new Date(r.startedAt),
        finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt),
      };
      if (job.state === 'QUEUED' || job.state === 'RUNNING') {
        job.state = 'FAILED';
        job.code = 'INTERRUPTED';
        job.message = `the server stopped (${r.state === 'RUNNING' ? 'while it ran' : 'before it started'}) and did not finish this job; what it committed is kept, run it again to complete it`;
        job.finishedAt = now;
        interrupted++;
      }
      registry.jobs.set(job.id, job);
    }
    if (interrupted) {
      log(`${interrupted} job(s) left unfinished by the previous process marked INTERRUPTED`);
      await registry.save();
    }
    return registry;
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  /**
   * The job's states from now until it finishes: its current state at once, then one after each
   * change (the latest, when the reader is slower than the job). UNKNOWN_JOB when there is no such job.
   */
  watch(id: string): AsyncIterableIterator<JobRecord> {
    const job = this.jobs.get(id);
    if (!job) throw new ImsearchError('UNKNOWN_JOB', `no job ${id} on this server`);
    const watchers = this.watchers.get(id) ?? new Set();
    this.watchers.set(id, watchers);
    const stream = new LatestValueStream(
      // A copy: the reader maps it later, by when the job may have moved on (even finished).
      () => structuredClone(job),
      (j) => j.finishedAt !== null,
      () => {
        watchers.delete(stream);
        if (!watchers.size) this.watchers.delete(id);
      },
    );
    watchers.add(stream);
    return stream;
  }

  private changed(job: JobRecord): void {
    for (const stream of this.watchers.get(job.id) ?? []) stream.changed();
  }

  /** Newest first. The map holds jobs in creation order (the file keeps it): no tie on equal timestamps. */
  list(): JobRecord[] {
    return [...this.jobs.values()].reverse();
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
    void this.save();
    const handle: JobHandle = {
      job,
      signal: this.stopping.signal,
      progress: (p) => {
        job.done = p.done;
        job.total = p.total;
        this.changed(job);
        if (Date.now() - this.lastWrite >= PROGRESS_SAVE_MS) void this.save();
      },
      fail: (f) => {
        job.failures.push(f);
        this.changed(job);
      },
      report: (r) => {
        job.added = r.added ?? job.added;
        job.message = r.message ?? job.message;
        this.changed(job);
      },
    };
    const run = schedule(async () => {
      job.state = 'RUNNING';
      job.startedAt = new Date();
      this.changed(job);
      void this.save();
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
        job.code = toImsearchError(err)?.code ?? toImsearchError((err as Error).cause)?.code ?? 'INTERNAL_SERVER_ERROR';
        this.log(`job ${job.id} (${kind} ${collection}) failed: ${(err as Error).stack ?? job.message}`);
      } finally {
        job.finishedAt = new Date();
        this.changed(job);
        await this.save();
      }
    }).catch(() => undefined);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return job;
  }

  /** At shutdown: cancels the work that listens to the signal (metric fits), then waits for every job and the last write. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.idle();
    await this.save();
  }

  /**
   * Writes every record (atomically). Calls during a write coalesce into one more write after it,
   * so the file always ends with the latest state. A failed write is logged: jobs keep running.
   */
  private save(): Promise<void> {
    const file = this.file;
    if (file === null) return Promise.resolve();
    if (this.writing) {
      this.writeAgain = true;
      return this.writing;
    }
    this.writing = (async () => {
      do {
        this.writeAgain = false;
        this.lastWrite = Date.now();
        try {
          // In creation order: the order open() restores.
          await file.write([...this.jobs.values()]);
        } catch (err) {
          this.log(`could not write the job history ${file.file}: ${(err as Error).message}`);
        }
      } while (this.writeAgain);
      this.writing = null;
    })();
    return this.writing;
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
