// What a command handler or a scheduled job is given. Handlers run inside one store transaction.
import type { Logger } from 'pino';
import type { Message } from '../domain/message.ts';
import type { ChannelRef, ChatIdentity, Member, Partnership } from '../domain/partnership.ts';
import type { Command, Verb } from '../domain/command-types.ts';
import type { Clock, IdSource, Job, JobKind, Repo, Store } from '../domain/ports.ts';
import type { Poll } from '../domain/pulse.ts';

export interface Deps {
  store: Store;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  /** Keyed hash (HMAC with the server secret) of poll + member: stops double votes without naming the voter. */
  voterHash(pollId: string, memberId: string): string;
}

/** Who acted, and where. */
export interface Actor {
  identity: ChatIdentity;
  /** The name the platform shows for the person (used when they join). */
  displayName: string;
  /** The channel the command came from; null for a direct message to the bot. */
  channel: ChannelRef | null;
}

/** Everything a command handler needs, resolved before it runs. */
export interface CommandContext {
  deps: Deps;
  tx: Repo;
  actor: Actor;
  now: Date;
  /** The partnership of the channel (or, in a direct message, the actor's only partnership). */
  partnership: Partnership | null;
  /** The actor as a member of that partnership, if they are one. */
  member: Member | null;
  /** The poll the command names, already loaded with its partnership (so a button press reads it once). */
  poll?: Poll;
}

/** Replies go back to the actor: `private` ones only to them, the rest into the channel they used. */
export type Replies = Message[];

/** A scheduled job's work: decide, enqueue outbox rows and follow-up jobs through `tx`. */
export interface JobContext {
  deps: Deps;
  tx: Repo;
  now: Date;
  job: Job;
  partnership: Partnership;
}

/** Due jobs of one kind, each with its (active) partnership, run together in one transaction. */
export interface JobBatchContext {
  deps: Deps;
  tx: Repo;
  now: Date;
  items: { job: Job; partnership: Partnership }[];
}

/** A job's work; `batch`, when given, does the same for many jobs at once with set-based queries
 * (the scheduler's fast path for kinds due in bulk, such as nudges); `bulk`, the most jobs of the
 * kind one batch (one transaction) takes, when fewer than the scheduler's own limit. */
export type JobRunner = ((ctx: JobContext) => Promise<void>) & { batch?: (ctx: JobBatchContext) => Promise<void>; bulk?: number };

export type CommandOf<V extends Verb> = Extract<Command, { verb: V }>;

/** Runs one verb. Role checks by verb are done before (src/domain/permissions.ts); checks that depend
 * on the object (owner of this consultation, in this audience) are the handler's. Throw UserError for
 * anything the person should be told; the transaction is then rolled back. */
export type CommandHandler<V extends Verb> = (cmd: CommandOf<V>, ctx: CommandContext) => Promise<Replies>;

export type HandlerTable = { [V in Verb]?: CommandHandler<V> };

export type JobTable = { [K in JobKind]?: JobRunner };
