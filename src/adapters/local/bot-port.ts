// What the local adapter needs from the bot. The lead's src/bot wiring implements BotCore; the
// dispatcher delivers outbox rows for platform 'local' through a Sender (the Inbox).
import type { Message } from '../../domain/message.ts';
import type { Actor } from '../../bot/context.ts';
import type { Target } from '../../domain/partnership.ts';

export interface BotCore {
  /** Runs a command typed by an actor; returns the replies (private ones for the actor only, the rest for the channel). */
  runCommand(actor: Actor, text: string): Promise<Message[]>;
  /** Runs a button press (action id + value as carried by the button, see encodeAction/decodeAction in message.ts). */
  runAction(actor: Actor, actionId: string, value: string): Promise<Message[]>;
  /** Runs the scheduler as if it were `now`, then dispatches the outbox; resolves when done. */
  tick(now: Date): Promise<void>;
  /** Sends whatever is due in the outbox now; resolves when done. */
  flush(): Promise<void>;
  healthy(): Promise<boolean>;
}

/** The local adapter is also a "platform": the dispatcher calls send() for outbox rows whose target platform is 'local'. */
export interface Sender {
  send(target: Target, message: Message): Promise<void>;
}
