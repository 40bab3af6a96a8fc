// Store-backed helpers for handler and job tests: an in-memory store, fake deps, and running a
// command or job in one transaction the way the dispatcher and scheduler do.
import pino from 'pino';
import { expect } from 'vitest';
import { openStore } from '../../db/connect.ts';
import type { SqlStore } from '../../db/store.ts';
import type { CommandContext, Deps, HandlerTable, JobContext, JobTable } from '../../src/bot/context.ts';
import { voterHasher } from '../../src/bot/ids.ts';
import type { Command } from '../../src/domain/command-types.ts';
import { UserError } from '../../src/domain/errors.ts';
import type { Message } from '../../src/domain/message.ts';
import type { ChannelRef, Member, Partnership } from '../../src/domain/partnership.ts';
import type { Job, NewJob, OutboxRow, Store } from '../../src/domain/ports.ts';
import { GENERAL, SLACK_CHANNEL } from './fixtures.ts';

/** A migrated in-memory store holding the partnership, its channels and its members. */
export async function seededStore(p: Partnership, members: Member[], channels: ChannelRef[] = [GENERAL, SLACK_CHANNEL]): Promise<SqlStore> {
  const store = await openStore('sqlite::memory:');
  await store.insertPartnership(p);
  for (const ch of channels) await store.addChannel(p.id, ch);
  for (const m of members) await store.insertMember(m);
  return store;
}

/** Deps with a fixed (or test-controlled) clock, sequential ids ("c-1", "c-2", …), a silent log and
 * the real keyed voter hash with a test secret. */
export function testDeps(store: Store, now: Date | (() => Date)): Deps {
  let n = 0;
  return {
    store,
    clock: { now: typeof now === 'function' ? now : () => now },
    ids: { next: (prefix) => `${prefix}-${++n}` },
    log: pino({ level: 'silent' }),
    voterHash: voterHasher('test-secret'),
  };
}

export interface RunOptions {
  /** The partnership of the channel the command came from. */
  partnershipId: string;
  /** Default: the deps clock. */
  now?: Date;
  /** Default #general; null for a direct message to the bot. */
  channel?: ChannelRef | null;
}

/** Runs a command as `who` with the handler from `handlers`, in one transaction, as the dispatcher does. */
export async function runCommand(handlers: HandlerTable, deps: Deps, cmd: Command, who: Member, opts: RunOptions): Promise<Message[]> {
  const handler = handlers[cmd.verb] as ((c: Command, ctx: CommandContext) => Promise<Message[]>) | undefined;
  if (!handler) throw new Error(`no handler for ${cmd.verb}`);
  return deps.store.transaction(async (tx) => {
    const ctx: CommandContext = {
      deps,
      tx,
      now: opts.now ?? deps.clock.now(),
      actor: { identity: who.identities[0]!, displayName: who.name, channel: opts.channel === undefined ? GENERAL : opts.channel },
      partnership: await tx.partnership(opts.partnershipId),
      member: await tx.member(who.id),
    };
    return handler(cmd, ctx);
  });
}

/** Runs the runner for `job.kind` in one transaction, as the scheduler does. `now` defaults to the
 * deps clock and `dueAt` to `now`. */
export async function runJob(jobs: JobTable, deps: Deps, job: Omit<NewJob, 'dueAt'> & { dueAt?: string }, now: Date = deps.clock.now()): Promise<void> {
  const runner = jobs[job.kind];
  if (!runner) throw new Error(`no runner for ${job.kind}`);
  const full: Job = { ...job, id: `j-${job.kind}-${job.step}`, dueAt: job.dueAt ?? now.toISOString() };
  await deps.store.transaction(async (tx) => {
    const ctx: JobContext = { deps, tx, now, job: full, partnership: (await tx.partnership(job.partnershipId))! };
    await runner(ctx);
  });
}

/** Every outbox row not yet sent, in order. */
export function outbox(store: Store): Promise<OutboxRow[]> {
  return store.dueOutbox('2100-01-01T00:00:00Z', 1000);
}

/** The outbox rows that are direct messages to the chat user `user`. */
export async function directMessagesTo(store: Store, user: string): Promise<OutboxRow[]> {
  return (await outbox(store)).filter((r) => r.target.kind === 'user' && r.target.user === user);
}

/** Instants as the store returns them may carry milliseconds: compare them normalised. */
export function isoInstant(s: string): string {
  return new Date(s).toISOString().replace('.000Z', 'Z');
}

/** Awaits a promise that must reject with a UserError, and returns its message. */
export async function userErrorMessage(promise: Promise<unknown>): Promise<string> {
  const e = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return (e as UserError).message;
}
