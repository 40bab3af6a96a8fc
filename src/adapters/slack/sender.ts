// The dispatcher's Sender for Slack: chat.postMessage to a channel, or to a user id (their DM with the
// app). Failures become SendErrors (Retry-After, permanent). The dispatcher owns retries and pacing
// (src/bot/rate-limit.ts: about one message per second per conversation), so this does neither.
import type { Sender } from '../../bot/dispatcher.ts';
import { SendError } from '../../bot/dispatcher.ts';
import type { Message } from '../../domain/message.ts';
import type { Target } from '../../domain/partnership.ts';
import { renderMessage } from './blocks.ts';
import { toSendError, type WebClient } from './client.ts';

export interface SenderOptions {
  /** The client for a workspace (team or enterprise id), or null when the app is not installed there. */
  clientFor(workspace: string): Promise<WebClient | null>;
}

export function slackSender(opts: SenderOptions): Sender {
  return {
    async send(target: Target, message: Message): Promise<void> {
      if (target.platform !== 'slack') throw new SendError(`not a Slack target: ${target.platform}`, { permanent: true });
      const client = await opts.clientFor(target.workspace);
      if (!client) throw new SendError(`partnerbot is not installed in Slack workspace ${target.workspace}`, { permanent: true });
      const { blocks, text } = renderMessage(message);
      try {
        await client.chat.postMessage({ channel: target.kind === 'channel' ? target.channel : target.user, blocks, text, unfurl_links: false, unfurl_media: false });
      } catch (err) {
        throw toSendError(err);
      }
    },
  };
}
