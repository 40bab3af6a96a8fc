// Watches every call an adapter makes into the core: how many, how many are still running, and
// whether any command or button succeeded (only then may a request have changed a table).
import type { BotCore } from '../../src/bot/core.ts';
import type { Message } from '../../src/domain/message.ts';

export interface CoreSpy {
  /** Calls since the last reset. */
  readonly calls: number;
  /** A command or button since the last reset that the core carried out (a reply that is not a refusal). */
  readonly succeeded: boolean;
  reset(): void;
  /** Resolves once no call is running and none has started for `quietMs` (bounded). */
  idle(quietMs?: number, timeoutMs?: number): Promise<void>;
}

export function spyOnCore(core: BotCore): CoreSpy {
  let calls = 0;
  let pending = 0;
  let succeeded = false;
  let lastStart = 0;
  for (const name of ['runCommand', 'runAction', 'greet', 'home'] as const) {
    const original = core[name] as (...args: unknown[]) => Promise<unknown>;
    (core as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      calls++;
      pending++;
      lastStart = Date.now();
      try {
        const out = await original.apply(core, args);
        if ((name === 'runCommand' || name === 'runAction') && (out as Message[]).some((m) => !m.error)) succeeded = true;
        return out;
      } finally {
        pending--;
      }
    };
  }
  return {
    get calls() {
      return calls;
    },
    get succeeded() {
      return succeeded;
    },
    reset() {
      calls = 0;
      succeeded = false;
    },
    async idle(quietMs = 25, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      do await new Promise((r) => setTimeout(r, quietMs));
      while ((pending > 0 || Date.now() - lastStart < quietMs) && Date.now() < deadline);
    },
  };
}
