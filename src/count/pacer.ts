/**
 * How a long count returns to JavaScript: the core's run(budget) stops after `budget` steps (a unit
 * decided, a region completed, an LP pivot; see assembly/index.ts), and the caller gives the event
 * loop a turn between chunks. The budget is calibrated from the time each chunk took, so a chunk
 * lasts about CHUNK_MS whatever the dimension or depth; it starts small, so even the first chunk of
 * the costliest count is short. Used on the calling thread (api.ts) and in workers (worker.ts).
 */
export const CHUNK_MS = 10;

export class Pacer {
  budget = 16;
  /**
   * Adapts the budget to a chunk that took `ms` milliseconds. `ended`: the run ended before its
   * budget was spent (a work unit done), which says the budget was not too small: it only
   * shrinks then. (Growing on such chunks made a worker's budget climb over many small units
   * until one large unit ran for 300 ms and more in one call, deaf to 'stop' and 'donate'.)
   */
  adapt(ms: number, ended = false): void {
    if (ended && ms <= CHUNK_MS) return;
    const factor = ms <= CHUNK_MS / 4 ? 4 : Math.min(4, Math.max(0.125, CHUNK_MS / ms));
    this.budget = Math.max(1, Math.min(1 << 28, Math.round(this.budget * factor)));
  }
}

/** Gives the event loop a turn: setImmediate in Node, a MessageChannel round trip in browsers. */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
