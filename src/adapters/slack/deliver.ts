// Replies to something a person did in Slack. Private replies are for them only: an ephemeral
// message through the response_url (or chat.postEphemeral), or a DM when they acted in the Home tab.
// The rest goes into the conversation they used (or their DM with the bot). Charts and documents are
// uploaded after the message into the same conversation; an ephemeral message cannot carry a file,
// so those of a private reply go to the person's DM and the reply says so.
import type { RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Message } from '../../domain/message.ts';
import { LIMITS, renderMessage, type AttachedAt } from './blocks.ts';
import { slackErrorCode, type WebClient } from './client.ts';
import { attachables, dmChannel, isConversationId, loadUploads, shareFiles, type Attachable, type MediaReader, type Upload } from './files.ts';

export interface Place {
  /** Where the person acted: a channel or DM id; null in the Home tab or a modal without a channel. */
  conversation: string | null;
  user: string;
  respond?: RespondFn;
}

/** What delivering needs besides the client: the bot's media (charts, documents) and a logger. */
export interface DeliverDeps {
  readMedia: MediaReader | null;
  log: Logger;
}

const NOT_POSTABLE = new Set(['not_in_channel', 'channel_not_found']);

/** An interactive reply that hit a short rate limit is tried once more after Retry-After (the person
 * is waiting; longer limits are logged by the caller, and scheduled sends go through the outbox). */
async function once<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = err as { code?: unknown; retryAfter?: unknown };
    if (e?.code !== 'slack_webapi_rate_limited_error' || typeof e.retryAfter !== 'number' || e.retryAfter > 5) throw err;
    await new Promise((r) => setTimeout(r, (e.retryAfter as number) * 1000));
    return call();
  }
}

type Blocks = ReturnType<typeof renderMessage>;

/** Posts one message; returns the conversation it landed in (Slack answers a DM's id for a user id),
 * or null when only the response_url could post it. */
async function post(client: WebClient, place: Place, message: Message, { blocks, text }: Blocks): Promise<string | null> {
  if (message.private) {
    if (place.respond) await place.respond({ response_type: 'ephemeral', replace_original: false, blocks, text });
    else if (place.conversation) await once(() => client.chat.postEphemeral({ channel: place.conversation!, user: place.user, blocks, text }));
    else return (await once(() => client.chat.postMessage({ channel: place.user, blocks, text, unfurl_links: false, unfurl_media: false }))).channel ?? null;
    return null;
  }
  try {
    const res = await once(() => client.chat.postMessage({ channel: place.conversation ?? place.user, blocks, text, unfurl_links: false, unfurl_media: false }));
    return res.channel ?? place.conversation;
  } catch (err) {
    // A private channel the bot was not invited to: the response_url can still post there.
    const code = slackErrorCode(err);
    if (!place.respond || !code || !NOT_POSTABLE.has(code)) throw err;
    await place.respond({ response_type: 'in_channel', replace_original: false, blocks, text });
    return null;
  }
}

export async function deliver(client: WebClient, place: Place, replies: Message[], deps: DeliverDeps): Promise<void> {
  for (const message of replies) {
    const files = attachables(message);
    const uploads = files.length ? await loadUploads(files, deps.readMedia, (err) => deps.log.warn({ err }, 'slack: could not read a chart or document to upload')) : new Map<Attachable, Upload>();
    const ephemeral = message.private === true && (place.respond !== undefined || place.conversation !== null);
    const at: AttachedAt = ephemeral ? 'dm' : 'here';
    const rendered = renderMessage(message, LIMITS.messageBlocks, { attached: (bl) => (uploads.has(bl) ? at : null) });
    const landed = await post(client, place, message, rendered);
    if (!uploads.size) continue;
    try {
      // The conversation the message went to; else (ephemeral, or the response_url had to post) the DM.
      const into = !ephemeral && isConversationId(landed) ? landed : isConversationId(place.conversation) && place.conversation.startsWith('D') ? place.conversation : await dmChannel(client, place.user);
      await once(() => shareFiles(client, into, [...uploads.values()]));
    } catch (err) {
      deps.log.warn({ err, code: slackErrorCode(err) }, 'slack: could not upload the files of a reply');
      const names = [...uploads.values()].map((u) => u.title).join(', ');
      const sorry = { private: true, blocks: [{ kind: 'text' as const, text: [{ text: 'I could not attach ' }, { text: names, user: true }, { text: ' in Slack just now. Please ask again in a minute.' }] }] };
      await post(client, place, sorry, renderMessage(sorry)).catch((e: unknown) => deps.log.warn({ err: e }, 'slack: could not say that the upload failed'));
    }
  }
}
