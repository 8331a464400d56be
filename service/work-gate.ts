/**
 * A bound on concurrent expensive work (embeddings, index searches): at most `concurrent` run at
 * once, at most `queued` wait in arrival order, and anything beyond is refused at once with BUSY.
 * Queued work waits instead of piling onto the two threads the embedder and the event loop
 * share, so a normal query's latency stays bounded while a flood of requests is turned away.
 */
import { ImsearchError } from '../errors/error-codes.js';

export class WorkGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrent: number,
    readonly queued: number,
  ) {}

  /** Runs `work` when a slot is free; BUSY when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrent) {
      if (this.waiting.length >= this.queued) {
        throw new ImsearchError(
          'BUSY',
          `the server is running ${this.running} searches with ${this.waiting.length} waiting (limits ${this.concurrent} and ${this.queued}); retry shortly`,
          { running: this.running, waiting: this.waiting.length },
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so `running` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
