// What typing a command or pressing a button does on the local platform, shared by the HTTP API and
// the REPL: build the actor, record what was typed, run it, record the visible replies, then flush
// the outbox so the DMs and posts it caused are in the inbox before we answer.
import type { Actor } from '../../bot/context.ts';
import type { Message } from '../../domain/message.ts';
import type { BotCore } from './bot-port.ts';
import type { Inbox } from './inbox.ts';
import { renderText } from './render.ts';

export const LOCAL_WORKSPACE = 'local';

/** Where the person is: a channel, or (channel undefined) a direct message with the bot. */
export interface Place {
  user: string;
  channel?: string | undefined;
}

/** One reply as the local API returns it: into a channel, or to one person. */
export type Reply = ({ channel: string } | { user: string }) & { text: string; message: Message };

export function localActor(place: Place): Actor {
  return {
    identity: { platform: 'local', workspace: LOCAL_WORKSPACE, user: place.user },
    displayName: place.user,
    channel: place.channel === undefined ? null : { platform: 'local', workspace: LOCAL_WORKSPACE, channel: place.channel },
  };
}

/** Private replies go only to the actor and are not kept (like Slack ephemerals); the rest are kept
 * where they were posted: the channel, or the person's direct messages. */
function deliver(inbox: Inbox, place: Place, replies: Message[]): Reply[] {
  return replies.map((message) => {
    if (place.channel !== undefined && !message.private) {
      inbox.postToChannel(place.channel, message);
      return { channel: place.channel, text: renderText(message), message };
    }
    if (!message.private) inbox.postToUser(place.user, message);
    return { user: place.user, text: renderText(message), message };
  });
}

export interface RunHooks {
  /** Called when flushing the outbox after the command failed; the command itself did run. */
  onFlushError?: (err: unknown) => void;
}

async function flushAfter(core: BotCore, hooks: RunHooks): Promise<void> {
  try {
    await core.flush();
  } catch (err) {
    // The command's changes are committed and the outbox keeps what was not sent: answer anyway.
    hooks.onFlushError?.(err);
  }
}

export async function typeCommand(core: BotCore, inbox: Inbox, place: Place, text: string, hooks: RunHooks = {}): Promise<Reply[]> {
  inbox.recordTyped(place.user, place.channel === undefined ? { user: place.user } : { channel: place.channel }, text);
  const replies = await core.runCommand(localActor(place), text);
  const out = deliver(inbox, place, replies);
  await flushAfter(core, hooks);
  return out;
}

export async function pressButton(
  core: BotCore,
  inbox: Inbox,
  place: Place,
  action: string,
  value: string,
  hooks: RunHooks = {},
): Promise<Reply[]> {
  const replies = await core.runAction(localActor(place), action, value);
  const out = deliver(inbox, place, replies);
  await flushAfter(core, hooks);
  return out;
}
