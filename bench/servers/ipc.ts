// The child's side of bench/child.ts: says it is ready, answers RSS questions, stops when told.
import type { FromChild, ToChild } from '../child.ts';

export function serve(url: string, info: Record<string, unknown>, stop: () => Promise<void>): void {
  const send = (m: FromChild) => process.send?.(m);
  process.on('message', (m: ToChild) => {
    if (m.type === 'rss') {
      // Garbage the next collection would free is not what we want to measure.
      (globalThis as { gc?: () => void }).gc?.();
      send({ type: 'rss', rss: process.memoryUsage().rss });
    } else if (m.type === 'stop') {
      void stop().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', url, info });
}

export function fail(err: unknown): never {
  process.send?.({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies FromChild);
  process.exit(1);
}
