/**
 * The one way tests wait: poll a condition until it returns a value (anything but null,
 * undefined or false) or the deadline passes, then fail saying what was awaited and the last
 * error the condition threw.
 */
export async function waitFor<T>(condition: () => T | null | undefined | false | Promise<T | null | undefined | false>, opts: { timeoutMs: number; what: string; intervalMs?: number }): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${last ? ` (last error: ${(last as Error).message ?? String(last)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}
