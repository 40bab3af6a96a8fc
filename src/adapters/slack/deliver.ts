// Replies to something a person did in Slack. Private replies are for them only: an ephemeral
// message through the response_url (or chat.postEphemeral), or a DM when they acted in the Home tab.
// The rest goes into the conversation they used (or their DM with the bot).
import type { RespondFn } from '@slack/bolt';
import type { Message } from '../../domain/message.ts';
import { renderMessage } from './blocks.ts';
import { slackErrorCode, type WebClient } from './client.ts';

export interface Place {
  /** Where the person acted: a channel or DM id; null in the Home tab or a modal without a channel. */
  conversation: string | null;
  user: string;
  respond?: RespondFn;
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

export async function deliver(client: WebClient, place: Place, replies: Message[]): Promise<void> {
  for (const message of replies) {
    const { blocks, text } = renderMessage(message);
    if (message.private) {
      if (place.respond) await place.respond({ response_type: 'ephemeral', replace_original: false, blocks, text });
      else if (place.conversation) await once(() => client.chat.postEphemeral({ channel: place.conversation!, user: place.user, blocks, text }));
      else await once(() => client.chat.postMessage({ channel: place.user, blocks, text, unfurl_links: false, unfurl_media: false }));
      continue;
    }
    try {
      await once(() => client.chat.postMessage({ channel: place.conversation ?? place.user, blocks, text, unfurl_links: false, unfurl_media: false }));
    } catch (err) {
      // A private channel the bot was not invited to: the response_url can still post there.
      const code = slackErrorCode(err);
      if (!place.respond || !code || !NOT_POSTABLE.has(code)) throw err;
      await place.respond({ response_type: 'in_channel', replace_original: false, blocks, text });
    }
  }
}
