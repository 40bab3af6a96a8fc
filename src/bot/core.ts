// What every adapter (local, Slack, Teams) needs from the bot, whatever the platform.
import type { Message } from '../domain/message.ts';
import type { Actor } from './context.ts';

export interface BotCore {
  /** Runs a command typed by an actor; returns the replies (private ones for the actor only, the rest for the channel). */
  runCommand(actor: Actor, text: string): Promise<Message[]>;
  /** Runs a button press (action id + value as carried by the button, see encodeAction/decodeAction in message.ts). */
  runAction(actor: Actor, actionId: string, value: string): Promise<Message[]>;
  /** Someone arrived in a channel (Slack member_joined_channel, Teams membersAdded): the induction
   * message to send them directly, or null when the channel has no partnership or they are a member already. */
  greet(actor: Actor): Promise<Message | null>;
  /** The person's own view across their partnerships: what waits for their answer, deadlines, latest results. */
  home(actor: Actor): Promise<Message>;
  /** Runs the scheduler as if it were `now`, then dispatches the outbox; resolves when done. */
  tick(now: Date): Promise<void>;
  /** Sends whatever is due in the outbox now; resolves when done. */
  flush(): Promise<void>;
  healthy(): Promise<boolean>;
}
