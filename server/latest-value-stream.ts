/**
 * An async iterator over the states of something that changes (a job, for the jobUpdated
 * subscription). Each next() gives the current state once it changed since the previous one, so
 * a slow reader skips intermediate states instead of queueing them; the first next() gives the
 * state at once, and the iterator ends after giving a final state.
 */
export class LatestValueStream<T> implements AsyncIterableIterator<T> {
  /** The current state has not been given yet. */
  private dirty = true;
  private ended = false;
  private waiting: ((result: IteratorResult<T, undefined>) => void) | null = null;

  constructor(
    private readonly current: () => T,
    private readonly isFinal: (value: T) => boolean,
    /** Called once, when the stream ends (final state given, or the reader returned). */
    private readonly onEnd: () => void,
  ) {}

  /** The owner calls this on every change. */
  changed(): void {
    this.dirty = true;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting(this.take());
    }
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    if (this.dirty) return Promise.resolve(this.take());
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The reader stopped (a client unsubscribed or disconnected). */
  return(): Promise<IteratorResult<T, undefined>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private take(): IteratorResult<T, undefined> {
    this.dirty = false;
    const value = this.current();
    if (this.isFinal(value)) this.end();
    return { done: false, value };
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.({ done: true, value: undefined });
  }
}
