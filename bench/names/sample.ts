/**
 * A deterministic random sample: the same seed gives the same names on every machine, so the alert
 * rate in docs/benchmarks.md can be reproduced and compared between versions and tools.
 */

/** mulberry32: a tiny, well-mixed 32-bit PRNG; plenty for sampling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` items drawn without replacement (a partial Fisher-Yates shuffle of a copy). */
export function sampleNames<T>(items: readonly T[], size: number, seed: number): T[] {
  const rnd = mulberry32(seed);
  const pool = items.slice();
  const n = Math.min(size, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rnd() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}
