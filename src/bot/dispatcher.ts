// Outbox -> adapter send. Rows are claimed (owner + lease) before they are sent and marked sent after,
// so several instances share the outbox and a row whose sender died is sent again once its lease
// runs out: at most `concurrency` duplicates per crash, each harmless by its key. Sends happen outside
// any transaction. A failed send is retried with exponential backoff and jitter and, after
// maxAttempts, dead-lettered (it shows in /partner status), never silently dropped. Rate limits are
// token buckets per conversation and workspace; a 429 suspends the workspace for its Retry-After.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Message } from '../domain/message.ts';
import type { Platform, Target } from '../domain/partnership.ts';
import type { OutboxRow } from '../domain/ports.ts';
import type { Deps } from './context.ts';
import type { Metrics } from './metrics.ts';
import { PLATFORM_LIMITS, RateLimiter, type RateLimit } from './rate-limit.ts';

export interface Sender {
  /** `hint.partnershipId`: whose business this is, for a platform that must pick a partnership's
   * channel when it cannot reach the person directly (Teams @mention fallback). */
  send(target: Target, message: Message, hint?: { partnershipId: string | null }): Promise<void>;
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
  /** Rows claimed at once (at most one per conversation). */
  batch: number;
  /** Sends in flight at once: also the most rows a crash can leave sent but not marked sent. */
  concurrency: number;
  /** How long a claim holds before another instance may take the row over. Longer than a send can take. */
  leaseMs: number;
  /** Who claims (unique per process). */
  owner: string;
  limits: Partial<Record<Platform, RateLimit[]>>;
}

export const DEFAULT_DISPATCH: Omit<DispatcherOptions, 'owner'> = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  batch: 100,
  concurrency: 8,
  leaseMs: 60_000,
  limits: PLATFORM_LIMITS,
};

/** A name for this process in claims: host, pid and a random part (pids are reused). */
export function instanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function retryDelayMs(attempts: number, o: Pick<DispatcherOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + random() * (exp / 2)); // "equal jitter": never less than half the backoff
}

export interface DispatcherHooks {
  metrics?: Metrics;
  /** Real time for rate limits (tests replace it). */
  monotonic?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createDispatcher(deps: Deps, senders: Partial<Record<Platform, Sender>>, options: Partial<DispatcherOptions> = {}, hooks: DispatcherHooks = {}) {
  const o: DispatcherOptions = { ...DEFAULT_DISPATCH, owner: instanceId(), ...options };
  const { metrics } = hooks;
  const sleep = hooks.sleep ?? realSleep;
  const limiter = new RateLimiter(o.limits, hooks.monotonic);
  /** Workspaces under a 429: "platform|workspace" -> until (clock ms). */
  const suspended = new Map<string, number>();
  let running: Promise<number> | null = null;
  let again = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;

  const nowMs = () => deps.clock.now().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();

  async function defer(row: OutboxRow, untilMs: number): Promise<void> {
    await deps.store.deferOutbox([row.id], iso(untilMs));
    metrics?.sends.inc({ platform: row.target.platform, outcome: 'deferred' });
  }

  async function sendOne(row: OutboxRow, claimedAt: number): Promise<boolean> {
    const { target } = row;
    const sender = senders[target.platform];
    // Stopping, or so late in a long round that the lease could run out mid-send: give it back.
    if (stopping || nowMs() > claimedAt + o.leaseMs / 2) {
      await defer(row, nowMs());
      return false;
    }
    const pausedUntil = suspended.get(`${target.platform}|${target.workspace}`) ?? 0;
    if (sender && pausedUntil > nowMs()) {
      await defer(row, pausedUntil);
      return false;
    }
    if (sender) {
      const { waitMs, refund } = limiter.reserve(target);
      // A short wait is slept through (the lease covers it); a long one gives the row back for later.
      if (waitMs > Math.min(5_000, o.leaseMs / 4)) {
        refund();
        await defer(row, nowMs() + waitMs);
        return false;
      }
      if (waitMs > 0) await sleep(waitMs);
      if (stopping) {
        await defer(row, nowMs());
        return false;
      }
    }
    try {
      if (!sender) throw new Error(`no ${target.platform} adapter is running`);
      await sender.send(target, row.message, { partnershipId: row.partnershipId });
    } catch (err) {
      await failed(row, err);
      return false;
    }
    await deps.store.markSent(row.id, deps.clock.now().toISOString());
    metrics?.sends.inc({ platform: target.platform, outcome: 'sent' });
    return true;
  }

  async function failed(row: OutboxRow, err: unknown): Promise<void> {
    const { platform, workspace } = row.target;
    const attempts = row.attempts + 1;
    const now = nowMs();
    const steer = err instanceof SendError ? err.opts : {};
    const delay = steer.retryAfterMs ?? retryDelayMs(attempts, o);
    const retryAt = steer.permanent || attempts >= o.maxAttempts ? null : iso(now + delay);
    const reason = err instanceof Error ? err.message : String(err);
    await deps.store.markFailed(row.id, reason.slice(0, 500), retryAt);
    if (steer.retryAfterMs !== undefined) {
      // The platform said to wait: hold back everything to this workspace, here and in every instance.
      suspended.set(`${platform}|${workspace}`, now + steer.retryAfterMs);
      await deps.store.suspendOutbox(platform, workspace, iso(now + steer.retryAfterMs));
    }
    const log = { key: row.key, attempts, platform, reason };
    if (retryAt) {
      metrics?.sends.inc({ platform, outcome: 'retry' });
      metrics?.retries.inc({ platform });
      deps.log.warn({ ...log, retryAt }, 'send failed; will retry');
    } else {
      metrics?.sends.inc({ platform, outcome: 'dead' });
      metrics?.deadLetters.inc({ platform });
      deps.log.error(log, 'send failed too often; dead-lettered');
    }
  }

  /** Runs `work` over `rows`, at most `concurrency` at a time. */
  async function pool(rows: OutboxRow[], work: (row: OutboxRow) => Promise<boolean>): Promise<number> {
    let next = 0;
    let sent = 0;
    const worker = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        try {
          if (await work(row)) sent++;
        } catch (err) {
          // The database failed around a send: the claim runs out and the row is sent again later.
          deps.log.error({ err, key: row.key }, 'dispatch bookkeeping failed; the row will be retried after its lease');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, rows.length) }, worker));
    return sent;
  }

  async function drain(): Promise<number> {
    let sent = 0;
    const tried = new Set<string>();
    while (!stopping) {
      const now = nowMs();
      const rows = await deps.store.claimOutbox(iso(now), { owner: o.owner, until: iso(now + o.leaseMs) }, o.batch);
      if (!rows.length) return sent;
      // A row due again at once (e.g. Retry-After: 0) waits for the next flush, not this loop.
      const fresh = rows.filter((r) => !tried.has(r.id));
      await deps.store.deferOutbox(rows.filter((r) => tried.has(r.id)).map((r) => r.id), iso(now));
      if (!fresh.length) return sent;
      fresh.forEach((r) => tried.add(r.id));
      sent += await pool(fresh, (row) => sendOne(row, now));
    }
    return sent;
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
      } while (again && !stopping);
      return total;
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  }

  return {
    flush,
    owner: o.owner,
    /** Also sends on its own every `intervalMs` (retries and messages written by other instances). */
    start(intervalMs = 1_000): void {
      timer ??= setInterval(() => void flush().catch((err) => deps.log.error({ err }, 'dispatch failed')), intervalMs);
      timer.unref();
    },
    /** Claims nothing more, lets sends in flight finish (up to `graceMs`), gives every claim back. */
    async stop(graceMs = 3_000): Promise<void> {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      if (running) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([running.catch(() => 0), new Promise((r) => (grace = setTimeout(r, graceMs)))]);
        clearTimeout(grace);
      }
      const released = await deps.store.releaseClaims(o.owner);
      if (released) deps.log.info({ released }, 'gave back claimed work for the next instance');
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
