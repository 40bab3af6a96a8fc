// The dispatcher's way out to Teams. Channels and group chats get the card in their stored
// conversation; a person gets it in their 1:1 chat with the bot, or, until they have one, as an
// @mention in their partnership's Teams channel: never lost.
import type { Logger } from 'pino';
import type { Sender } from '../../bot/dispatcher.ts';
import { SendError } from '../../bot/dispatcher.ts';
import type { Message } from '../../domain/message.ts';
import type { ChatIdentity, Target } from '../../domain/partnership.ts';
import type { Repo } from '../../domain/ports.ts';
import { toSendError } from './connector.ts';
import type { ConversationBook } from './conversations.ts';
import { messageActivity, type Delivery } from './delivery.ts';

/** What the dispatcher may pass along with a row (optional: the Sender contract has only target and message). */
export interface SendHint {
  partnershipId?: string | null;
}

export interface TeamsSender extends Sender {
  send(target: Target, message: Message, hint?: SendHint): Promise<void>;
}

const MENTION_LEAD = ' — this is for you. (I cannot message you directly yet: open a chat with partnerbot to get these privately.)';

export function createTeamsSender(opts: { book: ConversationBook; delivery: Delivery; store: Repo; log: Logger }): TeamsSender {
  const { book, delivery, store, log } = opts;

  async function toChannel(channel: string, message: Message): Promise<void> {
    const conv = await book.conversation(channel);
    if (!conv) throw new SendError(`No Teams conversation is known for ${channel}: add partnerbot to that team or chat again.`, { permanent: true });
    try {
      await delivery.post(conv, [messageActivity(message)]);
    } catch (err) {
      throw toSendError(err, `a post to ${channel}`);
    }
  }

  /** The partnership channel on Teams where this person can be @mentioned. */
  async function mentionChannel(identity: ChatIdentity, hint: SendHint | undefined): Promise<{ channel: string; name: string } | null> {
    const memberships = await store.membersByIdentity(identity);
    const wanted = hint?.partnershipId ? memberships.filter((m) => m.partnershipId === hint.partnershipId) : memberships;
    const found: { channel: string; name: string; partnershipId: string }[] = [];
    for (const m of wanted) {
      for (const ch of await store.channels(m.partnershipId)) {
        if (ch.platform === 'teams' && ch.workspace === identity.workspace && (await book.conversation(ch.channel))) {
          found.push({ channel: ch.channel, name: m.name, partnershipId: m.partnershipId });
        }
      }
    }
    // Several partnerships and no way to tell which one a message is about: posting in the wrong one
    // would show one partnership's business to another, so wait (the row is retried) instead.
    if (new Set(found.map((f) => f.partnershipId)).size > 1) return null;
    return found[0] ?? null;
  }

  async function toUser(identity: ChatIdentity, message: Message, hint: SendHint | undefined): Promise<void> {
    const personal = await book.personal(identity.workspace, identity.user);
    if (personal) {
      try {
        await delivery.post(personal, [messageActivity(message)]);
        return;
      } catch (err) {
        if (!(await delivery.goneAndForgotten(personal, err))) throw toSendError(err, `a personal message to ${identity.user}`);
      }
    }
    const place = await mentionChannel(identity, hint);
    if (!place) {
      throw new Error(`partnerbot cannot reach Teams user ${identity.user} yet: they have no chat with the bot and no single partnership channel on Teams.`);
    }
    const user = await book.user(identity.workspace, identity.user);
    const mention = { id: user?.userId ?? identity.user, name: place.name || user?.name || '' };
    const conv = (await book.conversation(place.channel))!;
    log.debug({ channel: place.channel }, 'teams: no personal chat yet; @mentioning in the partnership channel');
    try {
      await delivery.post(conv, [messageActivity(message, mention, MENTION_LEAD)]);
    } catch (err) {
      throw toSendError(err, `an @mention in ${place.channel}`);
    }
  }

  return {
    async send(target, message, hint) {
      if (target.platform !== 'teams') throw new SendError(`The Teams sender cannot send to ${target.platform}.`, { permanent: true });
      if (target.kind === 'channel') return toChannel(target.channel, message);
      return toUser({ platform: 'teams', workspace: target.workspace, user: target.user }, message, hint);
    },
  };
}
