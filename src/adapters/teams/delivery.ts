// Getting cards to people: replies within a turn, private replies (1:1, never in the channel),
// and proactive posts into stored conversations with continueConversation.
import { TurnContext, type Activity, type CloudAdapter, type ConversationParameters, type ConversationReference, type Mention } from 'botbuilder';
import type { Logger } from 'pino';
import { message as neutral, para, t, type Message } from '../../domain/message.ts';
import type { StoredConversation } from '../../../db/teams-conversations.ts';
import { CARD_CONTENT_TYPE, renderCard, summaryOf, type AdaptiveCard } from './cards.ts';
import { statusOf } from './connector.ts';
import type { ConversationBook } from './conversations.ts';
import { conversationKind, tenantOf } from './identity.ts';

export interface MentionTarget {
  /** The per-bot user id ("29:…") when known, else the AAD object id. */
  id: string;
  name: string;
}

/** A display name safe inside <at>…</at>: no markup, no control characters. */
export function mentionName(name: string | null | undefined): string {
  const clean = (name ?? '').replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, ' ').replace(/[<>&[\]*_`\\#|]/g, '').trim();
  return clean.slice(0, 100) || 'member';
}

export function cardAttachment(card: AdaptiveCard) {
  return { contentType: CARD_CONTENT_TYPE, content: card };
}

/** One message as one activity: the card, a summary for notifications, and an optional @mention before it. */
export function messageActivity(message: Message, mention?: MentionTarget, lead = ''): Partial<Activity> {
  const activity: Partial<Activity> = { type: 'message', summary: summaryOf(message), attachments: [cardAttachment(renderCard(message))] };
  if (mention) {
    const tag = `<at>${mentionName(mention.name)}</at>`;
    const entity: Mention = { type: 'mention', text: tag, mentioned: { id: mention.id, name: mentionName(mention.name) } } as Mention;
    activity.text = `${tag}${lead}`;
    activity.entities = [entity];
  }
  return activity;
}

export interface DeliveryOptions {
  adapter: CloudAdapter;
  appId: string;
  book: ConversationBook;
  log: Logger;
}

export class Delivery {
  constructor(private readonly o: DeliveryOptions) {}

  /** Posts into a stored conversation (proactive). Throws the connector's error as it is. */
  async post(conv: StoredConversation, activities: Partial<Activity>[]): Promise<void> {
    await this.o.adapter.continueConversationAsync(this.o.appId, conv.reference as Partial<ConversationReference>, async (ctx) => {
      for (const a of activities) await ctx.sendActivity(a);
    });
  }

  /** True when the conversation is gone for the bot (uninstalled, removed): forget it and look elsewhere. */
  async goneAndForgotten(conv: StoredConversation, err: unknown): Promise<boolean> {
    const status = statusOf(err);
    if (status !== 403 && status !== 404) return false;
    await this.o.book.forget(conv.conversationId);
    this.o.log.warn({ conversation: conv.conversationId, status }, 'teams: the bot can no longer post in a conversation; forgot it');
    return true;
  }

  /** The replies to what someone did in this turn: public ones here, private ones only to them. */
  async reply(ctx: TurnContext, replies: Message[]): Promise<void> {
    const mine = replies.filter((m) => m.private);
    for (const m of replies.filter((m) => !m.private)) await ctx.sendActivity(messageActivity(m));
    if (mine.length) await this.privately(ctx, mine);
  }

  /** Messages for the person who acted only: in their 1:1 chat with the bot (made if need be), never in a shared one. */
  async privately(ctx: TurnContext, messages: Message[]): Promise<void> {
    const a = ctx.activity;
    const activities = messages.map((m) => messageActivity(m));
    if (conversationKind(a) === 'personal') {
      for (const act of activities) await ctx.sendActivity(act);
      return;
    }
    const tenantId = tenantOf(a);
    const aad = a.from?.aadObjectId;
    if (aad) {
      const personal = await this.o.book.personal(tenantId, aad);
      if (personal) {
        try {
          await this.post(personal, activities);
          return;
        } catch (err) {
          // Gone (forgotten), or failing now: a new 1:1 chat is tried rather than losing the answer.
          if (!(await this.goneAndForgotten(personal, err))) this.o.log.warn({ err, status: statusOf(err) }, 'teams: the stored personal chat failed; opening it again');
        }
      }
      if (await this.openPersonal(ctx, tenantId, aad, activities)) return;
    }
    const note = neutral(undefined, para(t('I could not message you privately, so the answer is not shown here. Open a chat with partnerbot (Apps → partnerbot) and try again.')));
    await ctx.sendActivity(messageActivity(note, { id: a.from.id, name: a.from.name ?? '' }, ' '));
  }

  /** Starts the person's 1:1 chat with the bot (allowed for members of a team or chat where it is installed). */
  private async openPersonal(ctx: TurnContext, tenantId: string, aad: string, activities: Partial<Activity>[]): Promise<boolean> {
    const a = ctx.activity;
    const params = {
      isGroup: false,
      bot: a.recipient,
      members: [{ id: a.from.id, name: a.from.name }],
      tenantId,
      channelData: { tenant: { id: tenantId } },
    } as ConversationParameters;
    const audience = ctx.turnState.get(this.o.adapter.OAuthScopeKey) as string | undefined;
    try {
      await this.o.adapter.createConversationAsync(this.o.appId, a.channelId, a.serviceUrl, audience ?? '', params, async (created) => {
        const ref = TurnContext.getConversationReference(created.activity);
        await this.o.book.recordPersonal(tenantId, aad, a.from.id, { ...ref, activityId: undefined, conversation: { ...ref.conversation!, conversationType: 'personal', tenantId } });
        for (const act of activities) await created.sendActivity(act);
      });
      return true;
    } catch (err) {
      this.o.log.warn({ err, status: statusOf(err) }, 'teams: could not open a personal chat for a private reply');
      return false;
    }
  }
}
