// The dispatcher's Sender for Slack: chat.postMessage to a channel, or to a user id (their DM with the
// app), then the message's charts and documents uploaded into the same conversation. Failures become
// SendErrors (Retry-After, permanent). The dispatcher owns retries and pacing (src/bot/rate-limit.ts:
// about one message per second per conversation), so this does neither.
import type { Sender } from '../../bot/dispatcher.ts';
import { SendError } from '../../bot/dispatcher.ts';
import type { Message } from '../../domain/message.ts';
import type { Target } from '../../domain/partnership.ts';
import { LIMITS, renderMessage } from './blocks.ts';
import { slackErrorCode, toSendError, type WebClient } from './client.ts';
import { attachables, isConversationId, loadUploads, shareFiles, type MediaReader } from './files.ts';

export interface SenderOptions {
  /** The client for a workspace (team or enterprise id), or null when the app is not installed there. */
  clientFor(workspace: string): Promise<WebClient | null>;
  /** The bytes behind the bot's chart and document links (null: none; they are described instead). */
  readMedia?: MediaReader | null;
}

export function slackSender(opts: SenderOptions): Sender {
  return {
    async send(target: Target, message: Message): Promise<void> {
      if (target.platform !== 'slack') throw new SendError(`not a Slack target: ${target.platform}`, { permanent: true });
      const client = await opts.clientFor(target.workspace);
      if (!client) throw new SendError(`partnerbot is not installed in Slack workspace ${target.workspace}`, { permanent: true });
      const files = attachables(message);
      const uploads = files.length ? await loadUploads(files, opts.readMedia ?? null) : new Map();
      const { blocks, text } = renderMessage(message, LIMITS.messageBlocks, { attached: (bl) => (uploads.has(bl) ? 'here' : null) });
      let landed: string | undefined;
      try {
        const res = await client.chat.postMessage({ channel: target.kind === 'channel' ? target.channel : target.user, blocks, text, unfurl_links: false, unfurl_media: false });
        landed = res.channel;
      } catch (err) {
        throw toSendError(err);
      }
      if (!uploads.size) return;
      // The message is out: a retry would post it twice, so a failed upload is reported, not retried.
      try {
        const into = isConversationId(landed) ? landed : target.kind === 'channel' ? target.channel : null;
        if (!into) throw new Error(`Slack did not say which conversation the message went to (${String(landed)})`);
        await shareFiles(client, into, [...uploads.values()]);
      } catch (err) {
        throw new SendError(`Slack took the message but not its files: ${slackErrorCode(err) ?? (err as Error).message}`, { permanent: true });
      }
    },
  };
}
