// Outbox -> adapter send. Rows are claimed (owner + lease) before they are sent and marked sent after,
// so several instances share the outbox and a row whose sender died is sent again once its lease
// runs out: at most `concurrency` duplicates per crash, each harmless by its key. Sends happen outside
// any transaction. A failed send is retried with exponential backoff and jitter and, after
// maxAttempts, dead-lettered (it shows in /partner status), never silently dropped. A send that does
// not finish within sendTimeoutMs counts as failed. Pacing is in rate-limit.ts (per conversation and
// per workspace); a 429 suspends the workspace for its Retry-After, here and in every instance.
//
// A run is a pipeline: rows are claimed while sends are under way (no batch waits for its slowest
// send), a row whose conversation must wait a moment is set aside without holding a sender, and
// whatever is put off (a suspension, a rate wait, a retry) wakes the dispatcher when it is due
// rather than at the next poll.
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
  /** Set-up needed once before sending (Teams loads its SDK on first use): awaited before each
   * send, outside its time limit, so a slow first load cannot time a send out that then goes through. */
  ready?(): Promise<void>;
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
  /** A send still running after this counts as failed and is retried (the platform may have taken it
   * all the same: delivery is at least once). Long enough that only a call that hangs reaches it. */
  sendTimeoutMs: number;
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
  sendTimeoutMs: 20_000,
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

/** A wait up to this long is waited out within a run; a longer one gives the row back until it is due. */
const HOLD_MS = 5_000;
/** After a run that sent something, look again this soon: more may have been written meanwhile (a
 * tick still writing a digest to every channel, another instance) or a lane freed. */
const FOLLOW_UP_MS = 100;
/** After a claim that found less than a batch, the next one waits this long: rows trickling in
 * (a tick writing digests) are picked up a few at a time, not with one query per send. */
const CLAIM_GAP_MS = 50;
/** Wake-up times kept at most (beyond, the poll finds what is due). */
const MAX_WAKES = 10_000;

type Outcome = 'sent' | 'failed' | 'deferred' | 'parked';

interface Claimed {
  row: OutboxRow;
  /** Clock ms of the claim: a row held too long is given back before its lease can run out. */
  claimedAt: number;
}

/** The run in progress, as the rest of the dispatcher may need to reach it. */
interface Run {
  /** Takes the queued rows of a workspace out of the run until `until` (a 429's Retry-After). */
  suspend(workspace: string, until: number): Promise<void>;
  /** Stops waiting for set-aside rows (stopping): their claims are given back. */
  halt(): void;
}

function workspaceOf(target: Target): string {
  return `${target.platform}|${target.workspace}`;
}

/** `work`, or a rejection once `ms` have passed (the work goes on, unobserved). */
function withTimeout(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined); // a failure after the timeout is not an unhandled rejection
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createDispatcher(deps: Deps, senders: Partial<Record<Platform, Sender>>, options: Partial<DispatcherOptions> = {}, hooks: DispatcherHooks = {}) {
  const o: DispatcherOptions = { ...DEFAULT_DISPATCH, owner: instanceId(), ...options };
  const { metrics } = hooks;
  const sleep = hooks.sleep ?? realSleep;
  const limiter = new RateLimiter(o.limits, hooks.monotonic);
  const hold = Math.min(HOLD_MS, o.leaseMs / 4);
  /** Workspaces under a 429: "platform|workspace" -> until (clock ms). */
  const suspended = new Map<string, number>();
  let running: Promise<number> | null = null;
  let current: Run | null = null;
  let again = false;
  let stopping = false;
  let poll: NodeJS.Timeout | null = null;

  const nowMs = () => deps.clock.now().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();

  // Wake-ups: when something put off falls due, flush then rather than at the next poll.
  const wakes = new Set<number>();
  let wake: { at: number; timer: NodeJS.Timeout } | null = null;

  function wakeAt(at: number): void {
    if (stopping) return;
    const t = Math.ceil(at / 10) * 10;
    if (wakes.size < MAX_WAKES) wakes.add(t);
    if (!wake || t < wake.at) arm(t);
  }

  /** Sets the one timer for `next`, the earliest wake-up. */
  function arm(next: number): void {
    if (wake) clearTimeout(wake.timer);
    const timer = setTimeout(() => {
      // Also the one armed for: a clock that does not follow real time (tests) must not loop here.
      const passed = Math.max(nowMs(), next);
      let later = Infinity;
      for (const t of wakes) {
        if (t <= passed) wakes.delete(t);
        else later = Math.min(later, t);
      }
      wake = null;
      void flush()
        .catch((err) => deps.log.error({ err }, 'dispatch failed'))
        .finally(() => {
          if (!stopping && later < Infinity && (!wake || later < wake.at)) arm(later);
        });
    }, Math.max(0, next - nowMs()));
    timer.unref();
    wake = { at: next, timer };
  }

  async function defer(row: OutboxRow, untilMs: number): Promise<void> {
    await deps.store.deferOutbox([row.id], iso(untilMs));
    metrics?.sends.inc({ platform: row.target.platform, outcome: 'deferred' });
    wakeAt(untilMs);
  }

  /** Gives the row back if its workspace is under a 429. */
  async function heldBack(row: OutboxRow): Promise<boolean> {
    const pausedUntil = suspended.get(workspaceOf(row.target)) ?? 0;
    if (pausedUntil <= nowMs()) return false;
    await defer(row, pausedUntil);
    return true;
  }

  async function failed(row: OutboxRow, err: unknown): Promise<void> {
    const { platform, workspace } = row.target;
    const attempts = row.attempts + 1;
    const now = nowMs();
    const steer = err instanceof SendError ? err.opts : {};
    const delay = steer.retryAfterMs ?? retryDelayMs(attempts, o);
    const retryAt = steer.permanent || attempts >= o.maxAttempts ? null : now + delay;
    const reason = err instanceof Error ? err.message : String(err);
    await deps.store.markFailed(row.id, reason.slice(0, 500), retryAt === null ? null : iso(retryAt));
    if (steer.retryAfterMs !== undefined) {
      // The platform said to wait: hold back everything to this workspace, here and in every instance.
      const until = now + steer.retryAfterMs;
      const key = workspaceOf(row.target);
      suspended.set(key, Math.max(until, suspended.get(key) ?? 0));
      await deps.store.suspendOutbox(platform, workspace, iso(until));
      await current?.suspend(key, until);
      wakeAt(until);
    }
    const log = { key: row.key, attempts, platform, reason };
    if (retryAt !== null) {
      metrics?.sends.inc({ platform, outcome: 'retry' });
      metrics?.retries.inc({ platform });
      deps.log.warn({ ...log, retryAt: iso(retryAt) }, 'send failed; will retry');
      wakeAt(retryAt);
    } else {
      metrics?.sends.inc({ platform, outcome: 'dead' });
      metrics?.deadLetters.inc({ platform });
      deps.log.error(log, 'send failed too often; dead-lettered');
    }
  }

  /** One claimed row: sent, failed, given back for later, or set aside (`park`) for a moment. */
  async function attempt({ row, claimedAt }: Claimed, park: (item: Claimed, ms: number) => void): Promise<Outcome> {
    const { target } = row;
    const sender = senders[target.platform];
    // Stopping, or held so long that the lease could run out mid-send: give it back.
    if (stopping || nowMs() > claimedAt + o.leaseMs / 2) {
      await defer(row, nowMs());
      return 'deferred';
    }
    if (!sender) {
      await failed(row, new Error(`no ${target.platform} adapter is running`));
      return 'failed';
    }
    if (await heldBack(row)) return 'deferred';
    // The conversation's own pace: a short wait is spent aside, holding no sender; a long one in the database.
    const wait = limiter.conversationWait(target);
    if (wait > hold) {
      await defer(row, nowMs() + wait);
      return 'deferred';
    }
    if (wait > 0) {
      park({ row, claimedAt }, wait);
      return 'parked';
    }
    // The workspace's pace: senders queue up on its bucket in order.
    const { waitMs, refund } = limiter.reserve(target);
    if (waitMs > hold) {
      refund();
      await defer(row, nowMs() + waitMs);
      return 'deferred';
    }
    if (waitMs > 0) await sleep(waitMs);
    // A 429 may have come back meanwhile: it holds for this row too.
    if (stopping || (suspended.get(workspaceOf(target)) ?? 0) > nowMs()) {
      refund();
      if (stopping) await defer(row, nowMs());
      else await heldBack(row);
      return 'deferred';
    }
    try {
      await sender.ready?.();
      await withTimeout(sender.send(target, row.message, { partnershipId: row.partnershipId }), o.sendTimeoutMs, `the ${target.platform} send`);
    } catch (err) {
      limiter.finished(target);
      await failed(row, err);
      return 'failed';
    }
    limiter.finished(target);
    await deps.store.markSent(row.id, deps.clock.now().toISOString());
    metrics?.sends.inc({ platform: target.platform, outcome: 'sent' });
    return 'sent';
  }

  /** Sends what is due: claims more while sends are under way, until nothing is left for now. */
  function drain(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const queue: Claimed[] = [];
      const parked = new Set<NodeJS.Timeout>();
      let sent = 0;
      let active = 0;
      let claiming = false;
      /** The last claim may have left due rows behind, or a send since has freed a lane. */
      let more = true;
      /** When the last claim was made (monotonic ms), whether it filled a batch, and a claim put off. */
      let lastClaim = { at: -Infinity, full: true };
      let claimLater: NodeJS.Timeout | null = null;
      let failure: unknown = null;
      let settled = false;

      const finish = () => {
        if (settled || claiming || claimLater || active || parked.size) return;
        if (!stopping && !failure && (queue.length || more)) return;
        settled = true;
        current = null;
        // Rows still queued when stopping keep their claim until stop() gives every claim back.
        if (failure) reject(failure);
        else resolve(sent);
      };

      const park = (item: Claimed, ms: number) => {
        const timer = setTimeout(() => {
          parked.delete(timer);
          queue.push(item);
          pump();
        }, ms);
        parked.add(timer);
      };

      const claim = async () => {
        claiming = true;
        try {
          const now = nowMs();
          const rows = await deps.store.claimOutbox(iso(now), { owner: o.owner, until: iso(now + o.leaseMs) }, o.batch);
          more = rows.length >= o.batch;
          lastClaim = { at: performance.now(), full: more };
          for (const row of rows) queue.push({ row, claimedAt: now });
        } catch (err) {
          failure = err;
        } finally {
          claiming = false;
          pump();
        }
      };

      function pump(): void {
        while (!stopping && active < o.concurrency && queue.length) {
          const item = queue.shift()!;
          active++;
          void attempt(item, park)
            .then(
              (outcome) => {
                if (outcome !== 'sent') return;
                sent++;
                more = true; // the next message of its conversation may be due now
              },
              // The database failed around a send: the claim runs out and the row is sent again later.
              (err: unknown) => deps.log.error({ err, key: item.row.key }, 'dispatch bookkeeping failed; the row will be retried after its lease'),
            )
            .finally(() => {
              active--;
              pump();
            });
        }
        if (!stopping && !failure && more && !claiming && !claimLater && queue.length < o.concurrency) {
          const gap = lastClaim.full ? 0 : lastClaim.at + CLAIM_GAP_MS - performance.now();
          if (gap <= 0) void claim();
          else
            claimLater = setTimeout(() => {
              claimLater = null;
              pump();
            }, gap);
        }
        finish();
      }

      current = {
        async suspend(workspace, until) {
          const held = queue.filter((c) => workspaceOf(c.row.target) === workspace);
          if (!held.length) return;
          queue.splice(0, queue.length, ...queue.filter((c) => !held.includes(c)));
          await deps.store.deferOutbox(
            held.map((c) => c.row.id),
            iso(until),
          );
          metrics?.sends.inc({ platform: held[0]!.row.target.platform, outcome: 'deferred' }, held.length);
          pump();
        },
        halt() {
          for (const timer of parked) clearTimeout(timer);
          parked.clear();
          if (claimLater) clearTimeout(claimLater);
          claimLater = null;
          finish();
        },
      };
      pump();
    });
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
      const total = await running;
      if (total > 0) wakeAt(nowMs() + FOLLOW_UP_MS);
      return total;
    } finally {
      running = null;
    }
  }

  return {
    flush,
    owner: o.owner,
    /** Also sends on its own every `intervalMs` (retries and messages written by other instances). */
    start(intervalMs = 1_000): void {
      poll ??= setInterval(() => void flush().catch((err) => deps.log.error({ err }, 'dispatch failed')), intervalMs);
      poll.unref();
    },
    /** Claims nothing more, lets sends in flight finish (up to `graceMs`), gives every claim back. */
    async stop(graceMs = 3_000): Promise<void> {
      stopping = true;
      if (poll) clearInterval(poll);
      poll = null;
      if (wake) clearTimeout(wake.timer);
      wake = null;
      wakes.clear();
      current?.halt();
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
