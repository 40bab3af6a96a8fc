// The child's side of bench/child.ts: says it is ready, answers RSS questions, stops when told.
import type { FromChild, ToChild } from '../child.ts';

export function serve(url: string, info: Record<string, unknown>, stop: () => Promise<void>): void {
  const send = (m: FromChild) => process.send?.(m);
  process.on('message', (m: ToChild) => {
    if (m.type === 'rss') {
      void settledRss().then((rss) => send({ type: 'rss', rss }));
    } else if (m.type === 'stop') {
      void stop().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', url, info });
}

const MB = 2 ** 20;

/**
 * RSS after full GCs, once V8 has given back the pages they freed: it unmaps them on a background
 * task after a collection, and what was still in use as the last replies went out (sockets, request
 * state) is only garbage a moment later. A reading taken at once after a burst of requests counted
 * up to ~150 MB more than one a second later, with the same heap (312 MB at once, 198 MB after 1 s).
 * So: collect and read every 250 ms until RSS stops falling (at least 1 s, at most 5 s).
 */
async function settledRss(): Promise<number> {
  // Garbage the next collection would free is not what we want to measure.
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  let rss = process.memoryUsage().rss;
  for (let waited = 250; waited <= 5_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    gc();
    const now = process.memoryUsage().rss;
    if (waited >= 1_000 && now > rss - MB) return now;
    rss = now;
  }
  return rss;
}

export function fail(err: unknown): never {
  process.send?.({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies FromChild);
  process.exit(1);
}
