// Pacing per conversation and per workspace, so the dispatcher never posts faster than a platform
// allows. Figures from the platforms' documentation (see shared/context/platform-notes.md).
//
// A conversation's limits are windows ("at most `count` in any `perMs`") counted from when earlier
// sends *finished*: a request reaches the platform between its start and its answer, so starting the
// next one `perMs` after the answer to the one `count` sends back holds on the platform's own clock,
// whatever the network does. That works because the outbox sends one message per conversation at a
// time (its lanes). A workspace's limit is a token bucket taken when a send starts (sends overlap
// there), kept below the platform's burst so requests bunched up on the way still fit.
import type { Platform, Target } from '../domain/partnership.ts';

export type RateLimit =
  | { scope: 'conversation'; count: number; perMs: number }
  | { scope: 'workspace'; perSecond: number; burst: number };

export const PLATFORM_LIMITS: Record<Platform, RateLimit[]> = {
  slack: [
    // chat.postMessage: about one message per second per channel.
    { scope: 'conversation', count: 1, perMs: 1_000 },
    // Slack keeps a workspace-wide limit for chat.postMessage without publishing a number; this is
    // where we stop on our own. Above the real one, its 429s suspend the workspace for Retry-After.
    { scope: 'workspace', perSecond: 200, burst: 10 },
  ],
  // Bot Connector, per bot per conversation: 7 in 1 s, 8 in 2 s, 60 in 30 s, 1,800 in an hour; and
  // 50 requests a second per app per tenant (10 + 40/s keeps any second at 50 with room for replies).
  teams: [
    { scope: 'conversation', count: 7, perMs: 1_000 },
    { scope: 'conversation', count: 8, perMs: 2_000 },
    { scope: 'conversation', count: 60, perMs: 30_000 },
    { scope: 'conversation', count: 1_800, perMs: 3_600_000 },
    { scope: 'workspace', perSecond: 40, burst: 10 },
  ],
  local: [],
};

interface Bucket {
  tokens: number;
  at: number;
}

/** When sends to one conversation finished (monotonic ms), oldest first, only as many as the limits look back. */
type History = number[];

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly histories = new Map<string, History>();

  constructor(
    private readonly limits: Partial<Record<Platform, RateLimit[]>>,
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  now(): number {
    return this.monotonic();
  }

  /** How long the target's conversation must wait before its next send may start (0: now). */
  conversationWait(target: Target): number {
    const history = this.histories.get(conversationKey(target));
    if (!history?.length) return 0;
    const now = this.monotonic();
    let wait = 0;
    for (const limit of this.limits[target.platform] ?? []) {
      if (limit.scope !== 'conversation' || history.length < limit.count) continue;
      wait = Math.max(wait, history[history.length - limit.count]! + limit.perMs - now);
    }
    return Math.max(0, Math.ceil(wait));
  }

  /** Takes a token from the target's workspace bucket; returns how long to wait before sending (0: now)
   * and a function that gives the token back (when the send is put off instead). Tokens may go
   * negative: the debt is the wait, so concurrent senders queue up in order. */
  reserve(target: Target): { waitMs: number; refund: () => void } {
    const now = this.monotonic();
    const taken: Bucket[] = [];
    let waitMs = 0;
    for (const limit of this.limits[target.platform] ?? []) {
      if (limit.scope !== 'workspace') continue;
      const key = workspaceKey(target);
      const b = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
      b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
      b.at = now;
      b.tokens -= 1;
      if (b.tokens < 0) waitMs = Math.max(waitMs, Math.ceil((-b.tokens / limit.perSecond) * 1000));
      this.buckets.set(key, b);
      taken.push(b);
    }
    return { waitMs, refund: () => taken.forEach((b) => (b.tokens += 1)) };
  }

  /** A send to the target's conversation has finished (or given up): the platform has seen it by now. */
  finished(target: Target): void {
    const conversation = (this.limits[target.platform] ?? []).filter((l) => l.scope === 'conversation');
    if (!conversation.length) return;
    const now = this.monotonic();
    const key = conversationKey(target);
    const history = this.histories.get(key) ?? [];
    history.push(now);
    const longest = Math.max(...conversation.map((l) => (l.scope === 'conversation' ? l.perMs : 0)));
    const most = Math.max(...conversation.map((l) => (l.scope === 'conversation' ? l.count : 0)));
    let drop = Math.max(0, history.length - most);
    while (drop < history.length && history[drop]! <= now - longest) drop++;
    if (drop) history.splice(0, drop);
    this.histories.set(key, history);
    if (this.histories.size > 50_000) this.forget(now);
  }

  /** Drops what no limit looks at any more, so memory stays bounded. */
  private forget(now: number): void {
    const longest = Math.max(0, ...Object.values(this.limits).flatMap((ls) => (ls ?? []).map((l) => (l.scope === 'conversation' ? l.perMs : 0))));
    for (const [key, h] of this.histories) if (!h.length || h[h.length - 1]! <= now - longest) this.histories.delete(key);
    for (const [key, b] of this.buckets) if (b.tokens >= 1 && now - b.at > 60_000) this.buckets.delete(key);
  }
}

function workspaceKey(target: Target): string {
  return `${target.platform}|${target.workspace}`;
}

function conversationKey(target: Target): string {
  return `${workspaceKey(target)}|${target.kind}|${target.kind === 'channel' ? target.channel : target.user}`;
}
