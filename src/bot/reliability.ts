// Settings for claims and sending, from the environment. Kept beside config.ts in the shape of the
// adapters' settings (a *_CONFIG_DOC list for the README table and a parser with clear errors).
import { ConfigError } from './config.ts';

export interface ReliabilityOptions {
  /** Messages sent at once by one instance. */
  concurrency: number;
  /** How long a claim on a job or an outbox row holds. */
  leaseMs: number;
  /** How often the dispatcher looks for due messages on its own (retries, other instances' rows). */
  pollMs: number;
  /** How long a platform call (and the dispatcher's whole send) may take before it counts as failed. */
  sendTimeoutMs: number;
  /** The dispatcher's first retry delay after a failed send, doubling per attempt up to retryMaxMs
   * (fault tests shorten them; a platform's Retry-After is always what it says). */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_RELIABILITY: ReliabilityOptions = {
  concurrency: 8,
  leaseMs: 60_000,
  pollMs: 1_000,
  sendTimeoutMs: 20_000,
  retryBaseMs: 30_000,
  retryMaxMs: 3_600_000,
};


function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${name} must be a number from ${min} to ${max} (got "${raw}").`);
  return n;
}

export function reliabilityFromEnv(env: NodeJS.ProcessEnv): ReliabilityOptions {
  return {
    concurrency: Math.round(integer(env, 'DISPATCH_CONCURRENCY', DEFAULT_RELIABILITY.concurrency, 1, 64)),
    // Fractions allowed, for fault tests that want a lease shorter than a second.
    leaseMs: Math.round(integer(env, 'CLAIM_LEASE_SECONDS', DEFAULT_RELIABILITY.leaseMs / 1000, 0.5, 3600) * 1000),
    pollMs: DEFAULT_RELIABILITY.pollMs,
    sendTimeoutMs: DEFAULT_RELIABILITY.sendTimeoutMs,
    retryBaseMs: DEFAULT_RELIABILITY.retryBaseMs,
    retryMaxMs: DEFAULT_RELIABILITY.retryMaxMs,
  };
}
