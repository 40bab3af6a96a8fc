// The Slack listeners, one per kind (command, action, view, event), each acknowledging first and
// then handing the person's intent to the core.
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { BotCore } from '../../bot/core.ts';
import { decodeAction } from '../../domain/message.ts';
import { slackActor, workspaceOf } from './actor.ts';
import { baseActionId, LINK_ACTION, LIMITS, renderMessage } from './blocks.ts';
import type { WebClient } from './client.ts';
import { deliver, type DeliverDeps, type Place } from './deliver.ts';
import type { MediaReader } from './files.ts';
import { errorBlock, MODAL_CALLBACK_PREFIX, modalFor, modalView, refusal, submissionText, type ModalKind, type ModalMeta } from './modals.ts';
import { BOT_EVENTS, SLASH_COMMAND } from './surface.ts';

const ACTION_IDS = /^(consult\.respond|pulse\.answer|command|link)(#\d+)?$/;

export interface ListenerDeps {
  core: BotCore;
  log: Logger;
  /** The bytes behind the bot's chart and document links, for uploading them (null: none). */
  readMedia: MediaReader | null;
}

async function publishHome(core: BotCore, client: WebClient, workspace: string, user: string): Promise<void> {
  const view = await core.home(slackActor(workspace, user, undefined, null));
  const { blocks } = renderMessage(view, LIMITS.homeBlocks);
  await client.views.publish({ user_id: user, view: { type: 'home', blocks } });
}

async function openModal(client: WebClient, triggerId: string, kind: ModalKind, meta: ModalMeta): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: modalView(kind, meta) });
}

function kindOf(callbackId: string): ModalKind | null {
  const kind = callbackId.slice(MODAL_CALLBACK_PREFIX.length);
  return kind === 'consult' || kind === 'pulse' || kind === 'review' ? kind : null;
}

function parseMeta(raw: string | undefined): ModalMeta {
  try {
    const meta = JSON.parse(raw ?? '{}') as Partial<ModalMeta>;
    return { channel: typeof meta.channel === 'string' ? meta.channel : null };
  } catch {
    return { channel: null };
  }
}

const INTERACTIONS = new Set(['block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion', 'interactive_message', 'dialog_submission', 'dialog_suggestion', 'dialog_cancellation', 'workflow_step_edit']);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || v === null || ok(v);

/**
 * Whether a (signed) body has the shape Bolt relies on before any listener of ours runs. Slack never
 * sends anything else, but Bolt dereferences these fields while routing and would answer 500.
 */
export function routableBody(body: unknown): boolean {
  if (!isRecord(body)) return false;
  if (body.event !== undefined && !(isRecord(body.event) && typeof body.event.type === 'string' && optional(body.event.item, isRecord))) return false;
  if (body.actions !== undefined && !(Array.isArray(body.actions) && body.actions.length > 0 && body.actions.every(isRecord))) return false;
  for (const key of ['channel', 'user', 'team', 'enterprise', 'view', 'container', 'message', 'state']) {
    if (!optional(body[key], isRecord)) return false;
  }
  // Interactions say who acted; form submissions carry the form.
  if (typeof body.type === 'string' && INTERACTIONS.has(body.type) && !(isRecord(body.user) && typeof body.user.id === 'string')) return false;
  if ((body.type === 'view_submission' || body.type === 'view_closed') && !isRecord(body.view)) return false;
  return optional(body.authorizations, (a) => Array.isArray(a) && a.every(isRecord));
}

export function registerListeners(app: App, { core, log, readMedia }: ListenerDeps): void {
  // A body Bolt cannot route is acknowledged and dropped (200, nothing runs) instead of a 500; one no
  // listener took (an event or button we do not have) is acknowledged once every listener is done,
  // rather than left to Bolt's 404 after 3 seconds (which makes Slack retry an event, and hold the request).
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    if (!routableBody(event.body)) {
      log.warn('slack: dropped a signed request whose body is not shaped like anything Slack sends');
      await event.ack();
      return;
    }
    let acked = false;
    const ack = event.ack;
    try {
      await processEvent({ ...event, ack: (response) => ((acked = true), ack(response)) });
    } catch (err) {
      // A signed but odd body must not become a 500 (Slack would retry it): log it and acknowledge.
      log.error({ err }, 'slack: a listener failed on a signed request; acknowledged and dropped');
    }
    if (!acked) await ack();
  };
  const out: DeliverDeps = { readMedia, log };
  // /partner <text>: ack within Slack's 3 seconds, then run it (or open the form for a bare command).
  app.command(SLASH_COMMAND, async ({ command, ack, respond, client, context }) => {
    await ack();
    const workspace = workspaceOf(context, command.team_id);
    const modal = modalFor(command.text);
    const actor = slackActor(workspace, command.user_id, command.user_name, command.channel_id, command.channel_name);
    if (modal) {
      await openModal(client, command.trigger_id, modal, { channel: actor.channel ? command.channel_id : null });
      return;
    }
    const replies = await core.runCommand(actor, command.text);
    await deliver(client, { conversation: command.channel_id || null, user: command.user_id, respond }, replies, out);
  });

  // Buttons: the core decides; the person alone sees the confirmation.
  app.action({ type: 'block_actions', action_id: ACTION_IDS }, async ({ ack, body, action, client, context, respond }) => {
    await ack();
    if (action.type !== 'button') return;
    const id = baseActionId(action.action_id);
    if (id === LINK_ACTION) return; // a link button opens the browser; nothing to do here
    const value = action.value ?? '';
    const workspace = workspaceOf(context, body.team?.id ?? body.user.team_id);
    const channelId = body.channel?.id ?? null;
    const actor = slackActor(workspace, body.user.id, body.user.name ?? body.user.username, channelId);
    const decoded = decodeAction(id, value);
    const modal = 'type' in decoded && decoded.type === 'command' ? modalFor(decoded.text) : null;
    if (modal) {
      await openModal(client, body.trigger_id, modal, { channel: actor.channel ? channelId : null });
      return;
    }
    const replies = await core.runAction(actor, id, value);
    const fromHome = body.view?.type === 'home';
    const place: Place = { conversation: fromHome ? null : channelId, user: body.user.id };
    if (!fromHome && body.response_url) place.respond = respond;
    await deliver(client, place, replies, out);
    if (fromHome) await publishHome(core, client, workspace, body.user.id);
  });

  // A submitted form becomes a command; a refusal is shown on the field it is about.
  app.view({ type: 'view_submission', callback_id: new RegExp(`^${MODAL_CALLBACK_PREFIX.replace('.', '\\.')}`) }, async ({ ack, body, view, client, context }) => {
    const kind = kindOf(view.callback_id);
    const values = view.state?.values;
    // Slack always sends who submitted and the fields; without them there is no form of ours to run
    // (and throwing before the ack would answer 500).
    if (!kind || typeof body.user?.id !== 'string' || typeof values !== 'object' || values === null) {
      await ack();
      return;
    }
    const built = submissionText(kind, values);
    if ('errors' in built) {
      await ack({ response_action: 'errors', errors: built.errors });
      return;
    }
    const meta = parseMeta(view.private_metadata);
    const workspace = workspaceOf(context, body.team?.id ?? body.user.team_id);
    const actor = slackActor(workspace, body.user.id, body.user.name, meta.channel);
    const replies = await core.runCommand(actor, built.text);
    const refused = refusal(replies);
    if (refused) {
      await ack({ response_action: 'errors', errors: { [errorBlock(kind, refused)]: refused.slice(0, 300) } });
      return;
    }
    await ack();
    await deliver(client, { conversation: meta.channel, user: body.user.id }, replies, out);
  });

  // The Home tab: the person's own view, fresh each time it is opened.
  app.event(BOT_EVENTS[0], async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    await publishHome(core, client, workspaceOf(context), event.user);
  });

  // Someone arrived in a partnership channel: the welcome, by DM.
  app.event(BOT_EVENTS[1], async ({ event, client, context }) => {
    if (event.user === context.botUserId) return;
    const workspace = workspaceOf(context, event.team);
    const name = await displayName(client, event.user, log);
    const welcome = await core.greet(slackActor(workspace, event.user, name, event.channel));
    if (!welcome) return;
    const { blocks, text } = renderMessage(welcome);
    await client.chat.postMessage({ channel: event.user, blocks, text, unfurl_links: false, unfurl_media: false });
  });

  app.error(async (error) => {
    log.error({ err: error, code: (error as { code?: unknown }).code }, 'slack listener failed');
  });
}

/** The name Slack shows for someone (display name, else real name), or undefined if it cannot be read. */
async function displayName(client: WebClient, user: string, log: Logger): Promise<string | undefined> {
  try {
    const res = await client.users.info({ user });
    const u = res.user;
    return u?.profile?.display_name || u?.real_name || u?.name || undefined;
  } catch (err) {
    log.warn({ err, user }, 'slack: could not read a display name');
    return undefined;
  }
}
