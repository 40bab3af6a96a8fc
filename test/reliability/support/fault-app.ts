// The real app for platform fault tests: a temp SQLite file, the real clock, no scheduler and no poll
// (only the dispatcher's own wake-ups send what is put off), and short timeouts and retry delays so a
// burst of failures is ridden out in seconds. Outbox rows are written straight into the store: the
// tests are about getting them out, through the real adapters, not about what writes them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type App } from '../../../src/bot/app.ts';
import { loadConfig } from '../../../src/bot/config.ts';
import type { ReliabilityOptions } from '../../../src/bot/reliability.ts';
import { message, para, t } from '../../../src/domain/message.ts';
import type { Target } from '../../../src/domain/partnership.ts';
import type { NewOutbox } from '../../../src/domain/ports.ts';
import { partnership } from '../../support/fixtures.ts';

/** A send (one platform call) gives up after 2 s (long enough that only a call left unanswered on
 * purpose times out, even on a busy machine); failures are retried after 100–800 ms. */
export const FAULT_RELIABILITY: Partial<ReliabilityOptions> = { sendTimeoutMs: 2_000, retryBaseMs: 100, retryMaxMs: 800, concurrency: 8 };

export interface FaultApp {
  app: App;
  stop(): Promise<void>;
}

export async function launchFaultApp(env: Record<string, string>): Promise<FaultApp> {
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-faults-'));
  try {
    const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent', ...env });
    const app = await startApp(config, { log: pino({ level: process.env.TEST_LOG ?? 'silent' }), reliability: FAULT_RELIABILITY });
    await app.deps.store.insertPartnership(partnership());
    return {
      app,
      async stop() {
        await app.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** `perConversation` messages to each target, headed "fault-<conversation>-<n>" so each can be told apart. */
export function faultRows(targets: Target[], perConversation: number): NewOutbox[] {
  return Array.from({ length: perConversation }, (_, n) =>
    targets.map((target, c) => ({ key: `fault:${c}:${n}`, partnershipId: partnership().id, target, message: message(`fault-${c}-${n}`, para(t('A message that must arrive exactly once.'))) })),
  ).flat();
}

/** The conversation index and sequence number in a "fault-<c>-<n>" heading found in `text`. */
export function faultId(text: string): { conversation: number; n: number } | null {
  const m = /fault-(\d+)-(\d+)/.exec(text);
  return m ? { conversation: Number(m[1]), n: Number(m[2]) } : null;
}

/** Waits (bounded) until `done()` holds. */
export async function until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Arrivals (performance.now() ms) in one conversation that break "at most `count` in any `perMs`":
 * pairs [first, last] of `count + 1` arrivals closer together than `perMs`. */
export function windowBreaches(arrivals: number[], count: number, perMs: number): [number, number][] {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i + count < sorted.length; i++) if (sorted[i + count]! - sorted[i]! < perMs) out.push([sorted[i]!, sorted[i + count]!]);
  return out;
}
