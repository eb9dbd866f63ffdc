import { describe, expect, it } from 'vitest';
import { Throttle } from './throttle.js';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('Throttle', () => {
  it('never has more than `concurrency` tasks running', async () => {
    const t = new Throttle({ concurrency: 3, requestsPerSecond: 0 });
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        t.run(async () => {
          running++;
          most = Math.max(most, running);
          await sleep(10);
          running--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('spaces starts 1/requestsPerSecond apart', async () => {
    const t = new Throttle({ concurrency: 10, requestsPerSecond: 50 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => t.run(async () => void starts.push(performance.now()))));
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    // 20 ms apart, measured from each real start; 1 ms of slack for clock rounding
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(19);
  });

  it('frees the slot when a task fails', async () => {
    const t = new Throttle({ concurrency: 1, requestsPerSecond: 0 });
    await expect(t.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(t.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});
