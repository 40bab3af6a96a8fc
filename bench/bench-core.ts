// partnerbot's core as src/bot/app.ts wires it (handlers, jobs, scheduler, dispatcher) over a given
// store and clock, without HTTP: for benchmarks of the paths under the adapters.
import pino from 'pino';
import type { SqlStore } from '../db/store.ts';
import type { Clock } from '../src/domain/ports.ts';
import { HANDLERS, JOBS } from '../src/bot/app.ts';
import type { Actor, Deps } from '../src/bot/context.ts';
import { createDispatcher, type Sender } from '../src/bot/dispatcher.ts';
import { createCommandRunner } from '../src/bot/handlers.ts';
import { randomIds, voterHasher } from '../src/bot/ids.ts';
import { createScheduler } from '../src/bot/scheduler.ts';
import type { Platform } from '../src/domain/partnership.ts';
import type { Message } from '../src/domain/message.ts';

export const BENCH_SECRET = 'bench-secret-0123456789abcdef';

export function benchDeps(store: SqlStore, clock: Clock): Deps {
  return { store, clock, ids: randomIds, log: pino({ level: 'silent' }), voterHash: voterHasher(BENCH_SECRET) };
}

export function benchCore(store: SqlStore, clock: Clock, senders: Partial<Record<Platform, Sender>> = {}) {
  const deps = benchDeps(store, clock);
  const dispatcher = createDispatcher(deps, senders, { owner: 'bench' });
  // As app.ts: the dispatcher is woken after a command only when it put messages in the outbox.
  const runner = createCommandRunner(deps, HANDLERS, { onOutbox: () => void dispatcher.flush().catch(() => undefined) });
  const scheduler = createScheduler(deps, JOBS, { owner: 'bench', leaseMs: 120_000 });
  return {
    deps,
    dispatcher,
    scheduler,
    /** As app.ts's core.runAction (which flushes the outbox, not waited for, only when the action wrote to it). */
    runAction(actor: Actor, id: string, value: string): Promise<Message[]> {
      return runner.runAction(actor, id, value);
    },
    /** As app.ts's core.tick: due jobs, then the outbox. */
    async tick(now: Date): Promise<void> {
      await scheduler.tick(now);
      await dispatcher.flush();
    },
  };
}

export const fixedClock = (at: Date): Clock => ({ now: () => at });
