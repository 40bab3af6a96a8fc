// Remembers every conversation the bot is in (channel, group chat, personal chat) and every person it
// has seen, from whatever activity arrives (install, conversationUpdate, message, invoke), so that
// nudges, digests and welcomes can be sent later with continueConversation.
import { ActivityTypes, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { Clock } from '../../domain/ports.ts';
import type { StoredConversation, TeamsConversationStore, TeamsUser } from '../../../db/teams-conversations.ts';
import { conversationKey, conversationKind, teamIdOf, tenantOf } from './identity.ts';

export class ConversationBook {
  constructor(
    private readonly store: TeamsConversationStore,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  async record(activity: Activity): Promise<void> {
    const key = conversationKey(activity);
    if (!key) return;
    const at = this.now();
    if (botRemoved(activity)) {
      await this.store.removeConversation(key, at);
      return;
    }
    const tenantId = tenantOf(activity);
    const kind = conversationKind(activity);
    if (activity.serviceUrl) {
      const ref = TurnContext.getConversationReference(activity);
      // A proactive send posts into the conversation itself, not as a reply to this activity, and a
      // channel's reference is the channel, not the thread it came from.
      const reference: Partial<ConversationReference> = {
        ...ref,
        activityId: undefined,
        conversation: { ...ref.conversation!, id: key },
        user: kind === 'personal' ? ref.user : undefined,
      };
      const teamId = kind === 'channel' ? teamIdOf(activity) : null;
      await this.store.saveConversation({ conversationId: key, tenantId, kind, teamId, reference: JSON.parse(JSON.stringify(reference)) }, at);
    }
    const botId = activity.recipient?.id;
    const from = activity.from;
    if (from?.aadObjectId && from.id && from.id !== botId) {
      await this.store.saveUser(
        { tenantId, aadObjectId: from.aadObjectId, userId: from.id, name: from.name, personalConversationId: kind === 'personal' ? key : null },
        at,
      );
    }
    for (const m of activity.membersAdded ?? []) {
      if (m.aadObjectId && m.id && m.id !== botId) await this.store.saveUser({ tenantId, aadObjectId: m.aadObjectId, userId: m.id, name: m.name }, at);
    }
  }

  /** Records a personal chat the bot created itself (createConversation). */
  async recordPersonal(tenantId: string, aadObjectId: string, userId: string, reference: Partial<ConversationReference>): Promise<void> {
    const id = reference.conversation?.id;
    if (!id) return;
    const at = this.now();
    await this.store.saveConversation({ conversationId: id, tenantId, kind: 'personal', reference: JSON.parse(JSON.stringify(reference)) }, at);
    await this.store.saveUser({ tenantId, aadObjectId, userId, personalConversationId: id }, at);
  }

  conversation(id: string): Promise<StoredConversation | null> {
    return this.store.conversation(id);
  }

  personal(tenantId: string, aadObjectId: string): Promise<StoredConversation | null> {
    return this.store.personalConversation(tenantId, aadObjectId);
  }

  user(tenantId: string, aadObjectId: string): Promise<TeamsUser | null> {
    return this.store.user(tenantId, aadObjectId);
  }

  teamChannels(teamId: string): Promise<StoredConversation[]> {
    return this.store.teamChannels(teamId);
  }

  forget(conversationId: string): Promise<void> {
    return this.store.removeConversation(conversationId, this.now());
  }
}

function botRemoved(a: Activity): boolean {
  if (a.type === ActivityTypes.InstallationUpdate) return typeof a.action === 'string' && a.action.startsWith('remove');
  if (a.type === ActivityTypes.ConversationUpdate) return (a.membersRemoved ?? []).some((m) => m.id === a.recipient?.id);
  return false;
}
