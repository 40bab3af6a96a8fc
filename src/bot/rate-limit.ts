// Token buckets per conversation and per workspace, so the dispatcher never posts faster than a
// platform allows. Figures from the platforms' documentation (see shared/context/platform-notes.md).
import type { Platform, Target } from '../domain/partnership.ts';

export interface RateLimit {
  scope: 'conversation' | 'workspace';
  /** Sustained rate. */
  perSecond: number;
  /** Messages allowed at once before the rate applies. */
  burst: number;
}

export const PLATFORM_LIMITS: Record<Platform, RateLimit[]> = {
  // chat.postMessage: about one message per second per channel. No burst, so the rate holds on any clock.
  slack: [{ scope: 'conversation', perSecond: 1, burst: 1 }],
  // Bot Connector: per conversation 7 in 1 s, 8 in 2 s, 60 in 30 s, 1,800 an hour (0.5/s burst 7
  // keeps under each); and 50 requests a second per app per tenant.
  teams: [
    { scope: 'conversation', perSecond: 0.5, burst: 7 },
    { scope: 'workspace', perSecond: 50, burst: 50 },
  ],
  local: [],
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Reservations against several buckets at once. Tokens may go negative: the debt is the wait. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: Partial<Record<Platform, RateLimit[]>>,
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  /** Takes a token from every bucket the target falls under; returns how long to wait before sending
   * (0: now) and a function that gives the tokens back (when the send is put off instead). */
  reserve(target: Target): { waitMs: number; refund: () => void } {
    const now = this.monotonic();
    const taken: Bucket[] = [];
    let waitMs = 0;
    for (const limit of this.limits[target.platform] ?? []) {
      const key = bucketKey(target, limit.scope);
      const b = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
      b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
      b.at = now;
      b.tokens -= 1;
      if (b.tokens < 0) waitMs = Math.max(waitMs, Math.ceil((-b.tokens / limit.perSecond) * 1000));
      this.buckets.set(key, b);
      taken.push(b);
    }
    if (this.buckets.size > 50_000) this.forgetFull(now);
    return { waitMs, refund: () => taken.forEach((b) => (b.tokens += 1)) };
  }

  /** Full buckets carry no information: dropping them keeps memory bounded. */
  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) if (b.tokens >= 1 && now - b.at > 60_000) this.buckets.delete(key);
  }
}

function bucketKey(target: Target, scope: RateLimit['scope']): string {
  const base = `${target.platform}|${target.workspace}`;
  if (scope === 'workspace') return base;
  return `${base}|${target.kind}|${target.kind === 'channel' ? target.channel : target.user}`;
}
