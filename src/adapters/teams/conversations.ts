// Remembers every conversation the bot is in (channel, group chat, personal chat) and every person it
// has seen, from whatever activity arrives (install, conversationUpdate, message, invoke), so that
// nudges, digests and welcomes can be sent later with continueConversation. Every message carries
// the same reference and sender again, so what was last written is remembered and an activity that
// would change nothing is not written (two upserts a message were most of a typed command's writes).
import { ActivityTypes, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { Clock } from '../../domain/ports.ts';
import type { StoredConversation, TeamsConversationStore, TeamsUser } from '../../../db/teams-conversations.ts';
import { conversationKey, conversationKind, teamIdOf, tenantOf } from './identity.ts';

/** How long a remembered write stands in for the row (another instance may have changed it since). */
export const REMEMBER_MS = 10 * 60_000;
/** Conversations and people remembered at most (the oldest are forgotten first). */
const REMEMBER_LIMIT = 10_000;

/** A user's row as far as this instance knows it (a missing name or personal chat keeps the stored one). */
interface KnownUser {
  userId: string;
  name: string | null;
  personal: string | null;
}

/** What was last written, by key, and when; bounded and short-lived. */
class Written<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();

  get(key: string, now: number): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (now - e.at < REMEMBER_MS && now >= e.at) return e.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= REMEMBER_LIMIT) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, at: now });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Installs, removals and membership changes are rare and decide whether the bot is there: always written. */
const ALWAYS_WRITTEN: ReadonlySet<string> = new Set([ActivityTypes.ConversationUpdate, ActivityTypes.InstallationUpdate]);

export class ConversationBook {
  private readonly conversations = new Written<string>();
  private readonly users = new Written<KnownUser>();

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
      await this.removeConversation(key, at);
      return;
    }
    const always = ALWAYS_WRITTEN.has(activity.type);
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
      await this.saveConversation({ conversationId: key, tenantId, kind, teamId }, reference, at, always);
    }
    const botId = activity.recipient?.id;
    const from = activity.from;
    if (from?.aadObjectId && from.id && from.id !== botId) {
      await this.saveUser({ tenantId, aadObjectId: from.aadObjectId, userId: from.id, name: from.name, personalConversationId: kind === 'personal' ? key : null }, at, always);
    }
    for (const m of activity.membersAdded ?? []) {
      if (m.aadObjectId && m.id && m.id !== botId) await this.saveUser({ tenantId, aadObjectId: m.aadObjectId, userId: m.id, name: m.name }, at, true);
    }
  }

  /** Writes a conversation unless this instance wrote the very same one a short while ago. */
  private async saveConversation(c: Omit<StoredConversation, 'reference'>, reference: Partial<ConversationReference>, at: string, always: boolean): Promise<void> {
    const now = Date.parse(at);
    const json = JSON.stringify(reference);
    const value = `${c.tenantId}\u0000${c.kind}\u0000${c.teamId ?? ''}\u0000${json}`;
    if (!always && this.conversations.get(c.conversationId, now) === value) return;
    this.conversations.delete(c.conversationId); // unknown until the write is done
    await this.store.saveConversation({ ...c, reference: JSON.parse(json) as Record<string, unknown> }, at);
    this.conversations.set(c.conversationId, value, now);
  }

  /** Writes a user unless the write would leave the row as this instance last wrote it a short while ago. */
  private async saveUser(u: { tenantId: string; aadObjectId: string; userId: string; name?: string | null; personalConversationId?: string | null }, at: string, always: boolean): Promise<void> {
    const now = Date.parse(at);
    const key = `${u.tenantId}\u0000${u.aadObjectId}`;
    const known = this.users.get(key, now);
    // The row after this write, as saveUser merges it: a missing name or personal chat keeps the stored one.
    const after: KnownUser = { userId: u.userId, name: u.name || known?.name || null, personal: u.personalConversationId || known?.personal || null };
    if (!always && known && known.userId === after.userId && known.name === after.name && known.personal === after.personal) return;
    this.users.delete(key);
    await this.store.saveUser(u, at);
    this.users.set(key, after, now);
  }

  /** The bot left a conversation: forget it, and every user's link to it. */
  private async removeConversation(conversationId: string, at: string): Promise<void> {
    this.conversations.delete(conversationId);
    this.users.clear();
    await this.store.removeConversation(conversationId, at);
  }

  /** Records a personal chat the bot created itself (createConversation). */
  async recordPersonal(tenantId: string, aadObjectId: string, userId: string, reference: Partial<ConversationReference>): Promise<void> {
    const id = reference.conversation?.id;
    if (!id) return;
    const at = this.now();
    await this.saveConversation({ conversationId: id, tenantId, kind: 'personal' }, reference, at, true);
    await this.saveUser({ tenantId, aadObjectId, userId, personalConversationId: id }, at, true);
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
    return this.removeConversation(conversationId, this.now());
  }
}

function botRemoved(a: Activity): boolean {
  if (a.type === ActivityTypes.InstallationUpdate) return typeof a.action === 'string' && a.action.startsWith('remove');
  if (a.type === ActivityTypes.ConversationUpdate) return (a.membersRemoved ?? []).some((m) => m.id === a.recipient?.id);
  return false;
}
