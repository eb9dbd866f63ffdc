/**
 * Politeness for public APIs: at most `concurrency` requests in flight and request starts spaced
 * at least 1/`requestsPerSecond` apart. PyPI and GitHub both ask clients not to hammer them, and a
 * lockfile with hundreds of packages would otherwise fire hundreds of requests at once.
 *
 * One Throttle is shared by every call a client makes, so the limits hold across checks that run
 * at the same time.
 */

export interface ThrottleOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Request starts per second; 0 or Infinity means no spacing (default 10). */
  requestsPerSecond?: number;
}

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_REQUESTS_PER_SECOND = 10;

export class Throttle {
  readonly concurrency: number;
  readonly intervalMs: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** The queue of start times, and when the last request started. */
  private turns: Promise<void> = Promise.resolve();
  private lastStart = -Infinity;

  constructor(options: ThrottleOptions = {}) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
    const rps = options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
    this.intervalMs = rps > 0 && Number.isFinite(rps) ? 1000 / rps : 0;
  }

  /** Runs `fn` when a slot is free and its start time has come. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      await this.waitForTurn();
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    // The slot is handed over directly by release(), so `active` never dips and lets a newcomer jump the queue.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  private waitForTurn(): Promise<void> {
    if (this.intervalMs === 0) return Promise.resolve();
    // Turns are taken one after another, each measured from the previous one's real start, so a
    // stalled event loop cannot release a catch-up burst of requests afterwards.
    const turn = this.turns.then(async () => {
      // A timer may fire a little early; wait until the time has really come.
      for (let wait = this.lastStart + this.intervalMs - Date.now(); wait > 0; wait = this.lastStart + this.intervalMs - Date.now()) {
        await new Promise((r) => setTimeout(r, Math.ceil(wait)));
      }
      this.lastStart = Date.now();
    });
    this.turns = turn;
    return turn;
  }
}
