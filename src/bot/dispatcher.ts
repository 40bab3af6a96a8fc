// Outbox -> adapter send. Marks rows sent; a failed send is retried with exponential backoff and jitter
// and, after maxAttempts, dead-lettered (it shows in /partner status), never silently dropped.
import type { Message } from '../domain/message.ts';
import type { Platform, Target } from '../domain/partnership.ts';
import type { OutboxRow } from '../domain/ports.ts';
import type { Deps } from './context.ts';

export interface Sender {
  send(target: Target, message: Message): Promise<void>;
}

/** What a Sender throws to steer retries: a platform's Retry-After, or a failure no retry can fix
 * (an unknown channel, a removed app), which is dead-lettered at once. Other errors are retried. */
export class SendError extends Error {
  override name = 'SendError';
  constructor(
    message: string,
    readonly opts: { retryAfterMs?: number; permanent?: boolean } = {},
  ) {
    super(message);
  }
}

export interface DispatcherOptions {
  maxAttempts: number;
  /** First retry delay; doubles per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  batch: number;
}

export const DEFAULT_DISPATCH: DispatcherOptions = { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 3_600_000, batch: 100 };

export function retryDelayMs(attempts: number, o: DispatcherOptions, random: () => number = Math.random): number {
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + random() * (exp / 2)); // "equal jitter": never less than half the backoff
}

export function createDispatcher(deps: Deps, senders: Partial<Record<Platform, Sender>>, options: Partial<DispatcherOptions> = {}) {
  const o = { ...DEFAULT_DISPATCH, ...options };
  let running: Promise<number> | null = null;
  let again = false;

  async function sendOne(row: OutboxRow): Promise<boolean> {
    const sender = senders[row.target.platform];
    try {
      if (!sender) throw new Error(`no ${row.target.platform} adapter is running`);
      await sender.send(row.target, row.message);
      await deps.store.markSent(row.id, deps.clock.now().toISOString());
      return true;
    } catch (err) {
      const attempts = row.attempts + 1;
      const now = deps.clock.now().getTime();
      const steer = err instanceof SendError ? err.opts : {};
      const delay = steer.retryAfterMs ?? retryDelayMs(attempts, o);
      const retryAt = steer.permanent || attempts >= o.maxAttempts ? null : new Date(now + delay).toISOString();
      const reason = err instanceof Error ? err.message : String(err);
      await deps.store.markFailed(row.id, reason.slice(0, 500), retryAt);
      const log = { key: row.key, attempts, platform: row.target.platform, reason };
      if (retryAt) deps.log.warn({ ...log, retryAt }, 'send failed; will retry');
      else deps.log.error(log, 'send failed too often; dead-lettered');
      return false;
    }
  }

  async function drain(): Promise<number> {
    let sent = 0;
    const tried = new Set<string>();
    for (;;) {
      const rows = (await deps.store.dueOutbox(deps.clock.now().toISOString(), o.batch)).filter((r) => !tried.has(r.id));
      if (!rows.length) return sent;
      for (const row of rows) {
        tried.add(row.id);
        if (await sendOne(row)) sent++;
      }
    }
  }

  /** Sends everything due now; concurrent calls share one run (and trigger one more if asked mid-run). */
  async function flush(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drain();
      } while (again);
      return total;
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  }

  return { flush };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
