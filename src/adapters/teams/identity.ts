// Who and where, from a Teams activity. A person is tenant id + AAD object id (the same across every
// install of the bot), never the per-bot user id; a channel is its conversation id without the
// ";messageid=" of the thread the activity came from.
import type { Activity, ChannelAccount } from 'botbuilder';
import type { Actor } from '../../bot/context.ts';
import type { ChannelRef, ChatIdentity } from '../../domain/partnership.ts';
import type { TeamsConversationKind } from '../../../db/teams-conversations.ts';

export function tenantOf(activity: Partial<Activity>): string {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return activity.conversation?.tenantId || (typeof fromChannelData === 'string' ? fromChannelData : '') || activity.channelId || 'unknown';
}

/** The channel itself, not the reply thread: "19:abc@thread.tacv2;messageid=123" → "19:abc@thread.tacv2". */
export function channelIdOf(conversationId: string): string {
  return conversationId.split(';')[0] ?? conversationId;
}

/** The team a channel activity belongs to (its id is also the General channel's conversation id). */
export function teamIdOf(activity: Partial<Activity>): string | null {
  const team = (activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id;
  return typeof team === 'string' && team ? team : null;
}

export function conversationKind(activity: Partial<Activity>): TeamsConversationKind {
  const t = activity.conversation?.conversationType;
  if (t === 'channel' || t === 'groupChat' || t === 'personal') return t;
  return activity.conversation?.isGroup ? 'groupChat' : 'personal';
}

/** Where a conversation is stored: channels by channel id, chats by conversation id. */
export function conversationKey(activity: Partial<Activity>): string {
  const id = activity.conversation?.id ?? '';
  return conversationKind(activity) === 'channel' ? channelIdOf(id) : id;
}

/** The stable user id: the AAD object id. Only outside Teams (the Emulator) is there none, and the
 * channel account id stands in. */
export function userIdOf(account: Partial<ChannelAccount> | undefined, channelId: string | undefined): string | null {
  if (!account) return null;
  if (account.aadObjectId) return account.aadObjectId;
  return channelId !== 'msteams' && account.id ? account.id : null;
}

export function identityOf(activity: Partial<Activity>, account: Partial<ChannelAccount> | undefined = activity.from): ChatIdentity | null {
  const user = userIdOf(account, activity.channelId);
  return user ? { platform: 'teams', workspace: tenantOf(activity), user } : null;
}

export function channelRefOf(activity: Partial<Activity>): ChannelRef | null {
  if (conversationKind(activity) === 'personal') return null;
  return { platform: 'teams', workspace: tenantOf(activity), channel: conversationKey(activity) };
}

/** The actor of an activity (its sender, or someone it names, e.g. a member added). */
export function actorOf(activity: Partial<Activity>, account: Partial<ChannelAccount> | undefined = activity.from, fallbackName = 'Teams user'): Actor | null {
  const identity = identityOf(activity, account);
  if (!identity) return null;
  return { identity, displayName: account?.name?.trim() || fallbackName, channel: channelRefOf(activity) };
}
