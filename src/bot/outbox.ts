// Helpers that turn "tell these people / channels" into outbox rows inside the current transaction.
import type { Message } from '../domain/message.ts';
import { channelTarget, directTarget, type ChannelRef, type Member } from '../domain/partnership.ts';
import type { NewOutbox, Repo } from '../domain/ports.ts';

/** Posts to every channel of a partnership (except `skip`, where the command's own reply already goes). */
export async function toChannels(
  tx: Repo,
  partnershipId: string,
  key: string,
  message: Message,
  now: Date,
  skip?: ChannelRef | null,
): Promise<number> {
  const channels = (await tx.channels(partnershipId)).filter(
    (ch) => !skip || ch.platform !== skip.platform || ch.workspace !== skip.workspace || ch.channel !== skip.channel,
  );
  const rows = channelMessages(channels, partnershipId, key, message);
  return rows.length ? tx.enqueue(rows, now.toISOString()) : 0;
}

/** The outbox rows of `toChannels`, for a caller that writes many decisions' rows in one `enqueue`. */
export function channelMessages(channels: readonly ChannelRef[], partnershipId: string, key: string, message: Message): NewOutbox[] {
  return channels.map((ch) => ({ key: `${key}:${ch.platform}:${ch.workspace}:${ch.channel}`, partnershipId, target: channelTarget(ch), message }));
}

/** Sends a direct message to each member (a member with no chat identity is skipped). */
export async function toMembers(tx: Repo, members: Member[], key: string, message: Message, now: Date): Promise<number> {
  const rows = directMessages(members, key, message);
  return rows.length ? tx.enqueue(rows, now.toISOString()) : 0;
}

/** The outbox rows of `toMembers`, for a caller that writes many decisions' rows in one `enqueue`. */
export function directMessages(members: Pick<Member, 'id' | 'partnershipId' | 'identities'>[], key: string, message: Message): NewOutbox[] {
  const rows: NewOutbox[] = [];
  for (const m of members) {
    const target = directTarget(m);
    if (target) rows.push({ key: `${key}:${m.id}`, partnershipId: m.partnershipId, target, message });
  }
  return rows;
}
