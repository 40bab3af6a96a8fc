// What the Teams app listens to, each listener short and calling the core: typed commands, card
// buttons (Action.Execute invokes and Action.Submit messages), members arriving, installs.
import type { Application, TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, TeamsInfo, type BotAdapter, type ChannelAccount, type TurnContext } from 'botbuilder';
// botbuilder's own dependency: CloudAdapter answers 401 only for this class (see forgedTokensAre401).
import { AuthenticationError } from 'botframework-connector';
import type { Logger } from 'pino';
import type { BotCore } from '../../bot/core.ts';
import { decodeAction, message as neutral, para, t, type Message } from '../../domain/message.ts';
import type { Repo } from '../../domain/ports.ts';
import { pollMessage } from '../../domain/pulse.ts';
import { renderCard, type ActionData, type AdaptiveCard } from './cards.ts';
import type { ConversationBook } from './conversations.ts';
import { cardAttachment, messageActivity, type Delivery } from './delivery.ts';
import { formCommand, formFor, isFormVerb } from './forms.ts';
import { actorOf, conversationKey, conversationKind, teamIdOf } from './identity.ts';

/** Every verb a card of ours can carry. */
export const CARD_VERBS = /^(consult\.respond|pulse\.answer|command|form\.(consult|pulse|review))$/;

export interface ListenerDeps {
  core: BotCore;
  store: Repo;
  book: ConversationBook;
  delivery: Delivery;
  log: Logger;
}

interface Outcome {
  /** For the person who pressed only. */
  mine: Message[];
  /** For the conversation the card is in. */
  shared: Message[];
  /** A form to fill in again (it said what was wrong). */
  form?: AdaptiveCard;
}

const UNKNOWN_PERSON = neutral(undefined, para(t('I could not tell who you are in Teams, so nothing was recorded.')));
const CARD_FAILED = neutral(undefined, para(t('Sorry, that did not work, and nothing was recorded. Please try again, or type the command instead.')));

/** jsonwebtoken's errors, which the Bot Framework SDK passes on as they are. */
const JWT_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * A token with a bad signature, `alg: none` or a future `nbf` is refused by the SDK, but with a 500
 * (it rethrows jsonwebtoken's error, and CloudAdapter answers 401 only for an AuthenticationError):
 * a forged request is the caller's fault, so it gets a 401 like every other refusal.
 */
function forgedTokensAre401(adapter: BotAdapter): void {
  const a = adapter as unknown as { processActivity(...args: unknown[]): Promise<unknown> };
  const process = a.processActivity.bind(adapter);
  a.processActivity = async (...args: unknown[]) => {
    try {
      return await process(...args);
    } catch (err) {
      if (err instanceof Error && JWT_ERRORS.has(err.name)) throw new AuthenticationError(`Unauthorized: ${err.message}`, 401);
      throw err;
    }
  };
}

const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const httpUrl = (v: string): boolean => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);
const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a request body cannot be an activity the SDK can handle, or null when it can. Every activity
 * the Bot Connector sends has a type, a channel, a serviceUrl and ids for sender, bot and conversation. */
export function activityProblem(body: unknown): string | null {
  if (!record(body)) return 'The body must be a Bot Framework activity (a JSON object).';
  for (const field of ['type', 'channelId', 'serviceUrl'] as const) if (!text(body[field])) return `The activity has no ${field}.`;
  // Stored as the address of every later proactive send: a value that is not a URL would break them all.
  if (!httpUrl(body.serviceUrl as string)) return "The activity's serviceUrl must be an http(s) URL.";
  for (const field of ['from', 'recipient', 'conversation'] as const) {
    const party = body[field];
    if (!record(party) || !text(party.id)) return `The activity has no ${field}.id.`;
    for (const key of ['name', 'aadObjectId', 'tenantId', 'conversationType', 'role'] as const) {
      if (party[key] !== undefined && party[key] !== null && typeof party[key] !== 'string') return `The activity's ${field}.${key} must be a string.`;
    }
  }
  for (const field of ['id', 'name', 'text', 'replyToId', 'locale'] as const) {
    if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string') return `The activity's ${field} must be a string.`;
  }
  if (body.channelData !== undefined && body.channelData !== null && !record(body.channelData)) return "The activity's channelData must be an object.";
  return null;
}

/**
 * Malformed activities (no type, a serviceUrl that is not a string, ...) make the SDK throw before
 * any turn starts, which the server answers with a 500: they are the caller's fault, so a 400.
 */
function malformedActivitiesAre400(adapter: BotAdapter): void {
  type Res = { status(code: number): { json(body: unknown): void } };
  const a = adapter as unknown as { process(req: { body?: unknown }, res: Res, ...rest: unknown[]): Promise<void> };
  const process = a.process.bind(adapter);
  a.process = async (req, res, ...rest) => {
    const problem = rest.length === 1 ? activityProblem(req.body) : null; // (req, res, logic): an HTTP request
    if (problem) {
      res.status(400).json({ error: problem });
      return;
    }
    await process(req, res, ...rest);
  };
}

export function registerListeners(app: Application<TurnState>, d: ListenerDeps): void {
  // Hardening of the adapter's HTTP handling (it is the same object src/adapters/teams/index.ts calls).
  forgedTokensAre401(app.adapter);
  malformedActivitiesAre400(app.adapter);
  /** After a poll answer, the rest of the poll, so the refreshed card still lets them answer the others. */
  async function restOfPoll(value: string): Promise<Message[]> {
    const action = decodeAction('pulse.answer', value);
    if ('error' in action || action.type !== 'pulse.answer') return [];
    const poll = await d.store.poll(action.pollId);
    const p = poll && poll.status === 'open' ? await d.store.partnership(poll.partnershipId) : null;
    return poll && p ? [pollMessage(poll, p)] : [];
  }

  async function act(ctx: TurnContext, data: ActionData): Promise<Outcome> {
    const actor = actorOf(ctx.activity);
    if (!actor) return { mine: [UNKNOWN_PERSON], shared: [] };
    let replies: Message[];
    if (isFormVerb(data.verb)) {
      const built = formCommand(data);
      if ('error' in built) return { mine: [], shared: [], form: built.form };
      replies = await d.core.runCommand(actor, built.text);
    } else {
      replies = await d.core.runAction(actor, data.verb, typeof data.value === 'string' ? data.value : '');
    }
    const mine = replies.filter((m) => m.private);
    if (data.verb === 'pulse.answer' && typeof data.value === 'string') mine.push(...(await restOfPoll(data.value)));
    return { mine, shared: replies.filter((m) => !m.private) };
  }

  // Records every conversation and person before anything else runs (failures are logged, not fatal).
  app.turn('beforeTurn', async (ctx) => {
    try {
      await d.book.record(ctx.activity);
    } catch (err) {
      d.log.error({ err, type: ctx.activity.type }, 'teams: could not record the conversation reference');
    }
    return true;
  });

  // Universal Actions: the returned card replaces the pressed card for this person only.
  app.adaptiveCards.actionExecute<ActionData>(CARD_VERBS, async (ctx, _state, data) => {
    let out: Outcome;
    try {
      out = await act(ctx, data);
    } catch (err) {
      // An invoke must be answered: without a card Teams gets the SDK's 501 and shows a vague error.
      d.log.error({ err, verb: data?.verb }, 'teams: a card action failed');
      return renderCard(CARD_FAILED);
    }
    // In a 1:1 chat the refreshed card is the natural place for the answer, not a second message.
    if (ctx.activity.conversation?.conversationType === 'personal' && !out.form && !out.mine.length && out.shared.length) {
      return renderCard(...out.shared);
    }
    for (const m of out.shared) await ctx.sendActivity(messageActivity(m));
    if (out.form) return out.form;
    return renderCard(...(out.mine.length ? out.mine : [neutral(undefined, para(t('Done.')))]));
  });

  // Older clients: Action.Submit arrives as a message with `value`; private answers go 1:1.
  app.adaptiveCards.actionSubmit<ActionData>(CARD_VERBS, async (ctx, _state, data) => {
    const out = await act(ctx, data);
    for (const m of out.shared) await ctx.sendActivity(messageActivity(m));
    if (out.form) await ctx.sendActivity({ type: 'message', attachments: [cardAttachment(out.form)] });
    if (out.mine.length) await d.delivery.privately(ctx, out.mine);
  });

  // A typed command: "/partner help", "partner help", "help" (a channel's @mention is removed first).
  app.activity(ActivityTypes.Message, async (ctx) => {
    const text = ctx.activity.text?.trim();
    const actor = actorOf(ctx.activity);
    if (!text || !actor) return;
    const form = formFor(text);
    if (form) {
      await ctx.sendActivity({ type: 'message', attachments: [cardAttachment(form)] });
      return;
    }
    await d.delivery.reply(ctx, await d.core.runCommand(actor, text));
  });

  // Someone joined a partnership's team or chat: the welcome, 1:1 if possible, else @mentioned in the
  // partnership's channel. Teams reports a new team member on the team (its General channel), so
  // the team's other channels the bot knows are asked too.
  app.conversationUpdate('membersAdded', async (ctx) => {
    const a = ctx.activity;
    const here = conversationKey(a);
    const teamId = conversationKind(a) === 'channel' ? teamIdOf(a) : null;
    const places = [here, ...(teamId ? (await d.book.teamChannels(teamId)).map((c) => c.conversationId) : [])].filter((c, i, all) => all.indexOf(c) === i);
    for (const m of a.membersAdded ?? []) {
      if (m.id === a.recipient?.id) continue;
      const known = m.name ? m : await memberDetails(ctx, m);
      const actor = actorOf(a, known, 'there');
      if (!actor?.channel) continue;
      for (const place of places) {
        const welcome = await d.core.greet({ ...actor, channel: { ...actor.channel, channel: place } });
        if (!welcome) continue;
        await welcomeTo(ctx, actor.identity.workspace, actor.identity.user, known, place === here ? null : place, welcome);
        break;
      }
    }
  });

  /** Teams leaves the name out of membersAdded: ask for it (the welcome says hello by name). */
  async function memberDetails(ctx: TurnContext, m: ChannelAccount): Promise<ChannelAccount> {
    try {
      const found = await TeamsInfo.getMember(ctx, m.id);
      return { ...m, name: found.name, aadObjectId: m.aadObjectId ?? found.aadObjectId };
    } catch (err) {
      d.log.debug({ err }, 'teams: could not look up a new member; welcoming without a name');
      return m;
    }
  }

  async function welcomeTo(ctx: TurnContext, tenantId: string, aad: string, m: ChannelAccount, elsewhere: string | null, welcome: Message): Promise<void> {
    const personal = await d.book.personal(tenantId, aad);
    if (personal) {
      try {
        await d.delivery.post(personal, [messageActivity(welcome)]);
        return;
      } catch (err) {
        if (!(await d.delivery.goneAndForgotten(personal, err))) throw err;
      }
    }
    const mentioned = messageActivity(welcome, { id: m.id, name: m.name ?? '' }, ' ');
    const conv = elsewhere ? await d.book.conversation(elsewhere) : null;
    if (conv) await d.delivery.post(conv, [mentioned]);
    else await ctx.sendActivity(mentioned);
  }

  // Installed for one person: show them their own view straight away.
  app.activity(ActivityTypes.InstallationUpdate, async (ctx) => {
    const a = ctx.activity;
    const actor = actorOf(a);
    if (a.action !== 'add' || conversationKind(a) !== 'personal' || !actor) return;
    await ctx.sendActivity(messageActivity(await d.core.home(actor)));
  });

  // Any other invoke (a card verb or feature partnerbot does not have): a 400 that says so, rather
  // than the SDK's 501 for an invoke nobody answered.
  app.activity(ActivityTypes.Invoke, async (ctx) => {
    const error = { code: 'BadRequest', message: 'partnerbot does not handle this request.' };
    await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: error } } });
  });
}
