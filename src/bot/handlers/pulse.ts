// pulse start / close / answer, results: anonymous pulse polls. The rules live in src/domain/pulse.ts;
// this file loads, stores and posts. Nothing here logs a member together with an answer.
import { sqlOf, summaries } from '../../../db/privacy-store.ts';
import { trendChart } from '../../domain/charts.ts';
import { UserError } from '../../domain/errors.ts';
import type { Block, Message } from '../../domain/message.ts';
import type { ChannelRef, Member, Partnership } from '../../domain/partnership.ts';
import type { Repo } from '../../domain/ports.ts';
import {
  answerConfirmation,
  checkAnswer,
  closePoll,
  emptyTally,
  keptResults,
  newPoll,
  pollJobs,
  pollMessage,
  resultsMessage,
  resultsOf,
  trend,
  whenText,
  type Poll,
  type PollForm,
  type Result,
} from '../../domain/pulse.ts';
import type { CommandContext, Deps, HandlerTable } from '../context.ts';
import { mediaFor } from '../media.ts';
import { toChannels } from '../outbox.ts';
import { chartImage } from '../render/attach.ts';
import { requireMember, requirePartnership } from '../resolve.ts';

/** How many closed polls the trend in `results` looks back over. */
const TREND_POLLS = 6;

function byOpened(a: Poll, b: Poll): number {
  return Date.parse(a.openedAt) - Date.parse(b.openedAt);
}

export async function openPollOf(tx: Repo, partnershipId: string): Promise<Poll | null> {
  return (await tx.polls(partnershipId, 'open')).sort(byOpened).at(-1) ?? null;
}

/** Opens a poll, schedules its reminder and close, and posts it to the partnership's channels
 * (except `skip`, where the command's own reply goes). Shared with the `pulse.auto` job. */
export async function startPoll(
  tx: Repo,
  deps: Deps,
  p: Partnership,
  opts: { form: PollForm; now: Date; createdBy: string; days?: number; skip?: ChannelRef | null },
): Promise<{ poll: Poll; message: Message }> {
  const open = await openPollOf(tx, p.id);
  if (open) {
    throw new UserError(
      `Poll ${open.id} is still open (it closes ${whenText(open.closesAt, p)}); a partnership runs one poll at a time. Close it first with \`/partner pulse close ${open.id}\`.`,
    );
  }
  const poll = newPoll({ id: deps.ids.next('p'), p, form: opts.form, now: opts.now, createdBy: opts.createdBy, days: opts.days });
  await tx.insertPoll(poll);
  await tx.scheduleJobs(pollJobs(poll, p));
  const msg = pollMessage(poll, p);
  await toChannels(tx, p.id, `poll:${poll.id}`, msg, opts.now, opts.skip);
  return { poll, message: msg };
}

/**
 * The results of some polls of one partnership, in the order given (oldest first), each with the
 * change in median since the poll given before it; `before` is the poll before the first one, read
 * only for that change. The database counts the answers of all of them at once (see Repo.tallies);
 * a poll whose answers are past retention is read from what its results published (poll_summaries),
 * so a partnership's history stays visible. Comments are read for the poll `withComments` only.
 * `changes: false` leaves out the change in median (each poll's results on their own).
 */
export async function resultsInOrder(
  tx: Repo,
  polls: readonly Poll[],
  opts: { before?: Poll; withComments?: string; changes?: boolean } = {},
): Promise<Result[]> {
  const all = opts.before ? [opts.before, ...polls] : polls;
  const ids = all.map((x) => x.id);
  const kept = await summaries(sqlOf(tx), ids);
  const tallies = await tx.tallies(ids.filter((id) => !kept.has(id)));
  const out: Result[] = [];
  let previous: Result | undefined;
  for (const poll of all) {
    const summary = kept.get(poll.id);
    let result: Result;
    if (summary) {
      // Kept comments are shown only where read comments would be.
      const comments = poll.id === opts.withComments || summary.comments === null ? summary.comments : [];
      result = keptResults(poll, { ...summary, comments }, previous);
    }
    else {
      const tally = tallies.get(poll.id) ?? emptyTally();
      result = resultsOf(poll, tally, [], previous);
      if (poll.id === opts.withComments && result.kind === 'shown' && result.comments !== null) {
        result = resultsOf(poll, tally, await tx.comments(poll.id), previous);
      }
    }
    out.push(result);
    if (opts.changes !== false) previous = result;
  }
  return opts.before ? out.slice(1) : out;
}

/** The closed polls opened before `poll`, oldest first. */
async function closedBefore(tx: Repo, poll: Poll): Promise<Poll[]> {
  return (await tx.polls(poll.partnershipId, 'closed')).filter((x) => byOpened(x, poll) < 0).sort(byOpened);
}

/** The results of a poll, with the previous closed poll for the change in median. */
export async function resultsFor(tx: Repo, poll: Poll): Promise<Result> {
  if (poll.status === 'open') return { kind: 'open', poll, respondents: await tx.ballotCount(poll.id) };
  const before = (await closedBefore(tx, poll)).at(-1);
  return (await resultsInOrder(tx, [poll], { before, withComments: poll.id }))[0]!;
}

/**
 * The results of a poll and, when they are shown, its history: the results of up to TREND_POLLS - 1
 * closed polls before it and its own, oldest first (for the trend); empty otherwise. One pass over
 * the store for all of them.
 */
export async function resultsWithHistory(tx: Repo, poll: Poll): Promise<{ result: Result; history: Result[] }> {
  if (poll.status === 'open') return { result: await resultsFor(tx, poll), history: [] };
  const earlier = await closedBefore(tx, poll);
  const shown = earlier.slice(-(TREND_POLLS - 1));
  const before = earlier.at(-TREND_POLLS);
  const all = await resultsInOrder(tx, [...shown, poll], { before, withComments: poll.id });
  const result = all.at(-1)!;
  return { result, history: result.kind === 'shown' ? all : [] };
}

/** Closes a poll, drops its pending reminder and posts the results to the channels (except `skip`).
 * The close job is the caller's: the job runner completes it, the `pulse.close` command cancels it. */
export async function closeAndPublish(tx: Repo, p: Partnership, poll: Poll, now: Date, skip: ChannelRef | null): Promise<Message> {
  const closed = closePoll(poll, now);
  await tx.updatePoll(closed);
  await tx.cancelJobs('pulse.reminder', poll.id);
  const msg = resultsMessage(await resultsFor(tx, closed), p);
  await toChannels(tx, p.id, `results:${poll.id}`, msg, now, skip);
  return msg;
}

/** The reply with the trend chart (an image served by the bot) before its closing small print.
 * Only direct replies carry it: channel posts wait in the outbox, and an image link that has expired
 * or was forgotten by a restart would make Slack refuse the whole message. */
function withTrendChart(ctx: CommandContext, msg: Message, p: Partnership, history: Result[]): Message {
  const media = mediaFor(ctx.deps);
  const chart = media && history.length ? trendChart(history, p) : null;
  if (!media || !chart) return msg;
  const image: Block = chartImage(media, chart);
  const blocks = [...msg.blocks];
  blocks.splice(Math.max(0, blocks.length - 1), 0, image);
  return { ...msg, blocks };
}

/** The named poll, which must belong to this partnership, or else the open one. `loaded`: the poll
 * the command runner already read for this command, if any. */
async function pollNamed(tx: Repo, p: Partnership, pollId: string | undefined, loaded?: Poll): Promise<Poll | null> {
  if (!pollId) return openPollOf(tx, p.id);
  const poll = loaded?.id === pollId ? loaded : await tx.poll(pollId);
  if (!poll || poll.partnershipId !== p.id) throw new UserError(`There is no poll ${pollId} in ${p.name}. Poll ids look like p-7k2m9q4x.`);
  return poll;
}

/** The member who answers, as a member of the poll's own partnership. */
async function voterFor(ctx: CommandContext, poll: Poll): Promise<Member> {
  if (ctx.member && ctx.member.partnershipId === poll.partnershipId) return ctx.member;
  const m = await ctx.tx.memberByIdentity(poll.partnershipId, ctx.actor.identity);
  if (!m) throw new UserError('That poll belongs to a partnership you are not a member of, so you cannot answer it.');
  return m;
}

async function audit(ctx: CommandContext, p: Partnership, action: string, detail: string): Promise<void> {
  await ctx.tx.audit({ partnershipId: p.id, actorId: ctx.member?.id ?? null, action, detail, at: ctx.now.toISOString() });
}

export const pulseHandlers: HandlerTable = {
  'pulse.start': async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const member = requireMember(ctx);
    const { poll, message } = await startPoll(ctx.tx, ctx.deps, p, {
      form: cmd.form,
      now: ctx.now,
      createdBy: member.id,
      days: cmd.days,
      skip: ctx.actor.channel,
    });
    await audit(ctx, p, 'pulse.start', `${poll.id} ${poll.form} k=${poll.k} closes ${poll.closesAt}`);
    return [message];
  },

  'pulse.close': async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const poll = await pollNamed(ctx.tx, p, cmd.pollId);
    if (!poll) throw new UserError(`No pulse poll is open in ${p.name}.`);
    if (poll.status === 'closed') {
      throw new UserError(`Poll ${poll.id} closed already (${whenText(poll.closesAt, p)}); \`/partner results ${poll.id}\` shows its results.`);
    }
    const msg = await closeAndPublish(ctx.tx, p, poll, ctx.now, ctx.actor.channel);
    await ctx.tx.cancelJobs('pulse.close', poll.id);
    await audit(ctx, p, 'pulse.close', poll.id);
    const closed = (await ctx.tx.poll(poll.id)) ?? poll;
    return [withTrendChart(ctx, msg, p, (await resultsWithHistory(ctx.tx, closed)).history)];
  },

  // Buttons send one block per press; text may carry several blocks and a comment. A second answer
  // to a block replaces the first (the voter hash is the key). Comments cannot be limited to one
  // per person without linking them to the voter, so they are not: a comment never changes a number,
  // and each command carries at most one, of at most 1000 characters.
  'pulse.answer': async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const poll = await pollNamed(ctx.tx, p, cmd.pollId, ctx.poll);
    if (!poll) throw new UserError(`No pulse poll is open in ${p.name} right now.`);
    const member = await voterFor(ctx, poll);
    const owner = poll.partnershipId === p.id ? p : await ctx.tx.partnership(poll.partnershipId);
    if (!owner) throw new UserError('That poll no longer exists.');
    const { answers, comment } = checkAnswer(poll, cmd.answers, cmd.comment, ctx.now, owner);
    const hash = ctx.deps.voterHash(poll.id, member.id);
    const answeredBefore = await ctx.tx.hasVoted(poll.id, hash);
    for (const [block, score] of Object.entries(answers)) {
      await ctx.tx.upsertAnswer(poll.id, hash, member.sector, block as keyof typeof answers, score!);
    }
    if (comment) await ctx.tx.addComment(poll.id, comment);
    return [answerConfirmation(poll, owner, answers, { comment: comment !== null, answeredBefore })];
  },

  results: async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const poll = cmd.pollId
      ? await pollNamed(ctx.tx, p, cmd.pollId)
      : ((await ctx.tx.polls(p.id, 'closed')).sort(byOpened).at(-1) ?? (await openPollOf(ctx.tx, p.id)));
    if (!poll) throw new UserError(`${p.name} has not run a pulse poll yet. A coordinator can start one with \`/partner pulse start\`.`);
    const { result, history } = await resultsWithHistory(ctx.tx, poll);
    const msg = resultsMessage(result, p, { bySector: cmd.bySector, trend: trend(history) });
    return [{ ...withTrendChart(ctx, msg, p, history), private: true }];
  },
};
