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
  const runner = createCommandRunner(deps, HANDLERS);
  const dispatcher = createDispatcher(deps, senders, { owner: 'bench' });
  const scheduler = createScheduler(deps, JOBS, { owner: 'bench', leaseMs: 120_000 });
  return {
    deps,
    dispatcher,
    scheduler,
    /** As app.ts's core.runAction: the action, then a flush of the outbox not waited for. */
    async runAction(actor: Actor, id: string, value: string): Promise<Message[]> {
      const replies = await runner.runAction(actor, id, value);
      void dispatcher.flush().catch(() => undefined);
      return replies;
    },
    /** As app.ts's core.tick: due jobs, then the outbox. */
    async tick(now: Date): Promise<void> {
      await scheduler.tick(now);
      await dispatcher.flush();
    },
  };
}

export const fixedClock = (at: Date): Clock => ({ now: () => at });
