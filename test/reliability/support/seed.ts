// A partnership with a lot due at once, written straight into the database: messages already in
// the outbox (to many people and, in order, to several channels) and a nudge job that fans out to
// every member on the first tick.
import { DateTime } from 'luxon';
import type { Store } from '../../../src/domain/ports.ts';
import { message, para, t } from '../../../src/domain/message.ts';
import type { ChannelRef, Member } from '../../../src/domain/partnership.ts';
import { consultation, partnership } from '../../support/fixtures.ts';

export interface Seeded {
  /** "channel|heading" of every message seeded in the outbox. */
  outboxKeys: string[];
  /** Channel id -> its headings in the order they must arrive. */
  channelOrder: Map<string, string[]>;
  /** Slack user ids of the members the nudge job will message. */
  nudged: string[];
}

const pad = (n: number) => String(n).padStart(4, '0');

export async function seedBusyPartnership(store: Store, opts: { members: number; directs: number; channels: number; perChannel: number }): Promise<Seeded> {
  const now = new Date();
  const p = partnership({ settings: { pulseSchedule: 'off' } });
  await store.insertPartnership(p);
  const channels: ChannelRef[] = Array.from({ length: opts.channels }, (_, i) => ({ platform: 'slack', workspace: 'T1', channel: `C${pad(i)}` }));
  for (const ch of channels) await store.addChannel(p.id, ch);
  const members: Member[] = Array.from({ length: opts.members }, (_, i) => ({
    id: `m-${pad(i)}`,
    partnershipId: p.id,
    name: `Member ${i}`,
    roles: i === 0 ? ['coordinator', 'member'] : ['member'],
    sector: 'public',
    organisation: 'Org',
    identities: [{ platform: 'slack', workspace: 'T1', user: `U${pad(i)}` }],
    joinedAt: '2026-01-01T00:00:00Z',
  }));
  for (const m of members) await store.insertMember(m);

  const deadline = DateTime.fromJSDate(now, { zone: p.timezone }).plus({ days: 40 }).toISODate()!;
  const c = consultation({ id: 'c-crash', ownerId: members[0]!.id, openedAt: now.toISOString(), deadline });
  await store.insertConsultation(c);
  await store.scheduleJobs([{ kind: 'consultation.nudge', partnershipId: p.id, ref: c.id, step: '14', dueAt: new Date(now.getTime() - 60_000).toISOString() }]);

  const outboxKeys: string[] = [];
  const channelOrder = new Map<string, string[]>();
  const rows = [];
  for (let i = 0; i < opts.directs; i++) {
    const heading = `direct ${pad(i)}`;
    rows.push({ key: `seed:d:${i}`, partnershipId: p.id, target: { kind: 'user' as const, platform: 'slack' as const, workspace: 'T1', user: `V${pad(i)}` }, message: message(heading, para(t('hello'))) });
    outboxKeys.push(`V${pad(i)}|${heading}`);
  }
  // Interleaved across channels, as decisions about several channels would be.
  for (let j = 0; j < opts.perChannel; j++) {
    for (const ch of channels) {
      const heading = `post ${ch.channel} ${pad(j)}`;
      rows.push({ key: `seed:c:${ch.channel}:${j}`, partnershipId: p.id, target: { kind: 'channel' as const, ...ch }, message: message(heading, para(t('hello'))) });
      outboxKeys.push(`${ch.channel}|${heading}`);
      channelOrder.set(ch.channel, [...(channelOrder.get(ch.channel) ?? []), heading]);
    }
  }
  await store.enqueue(rows, now.toISOString());
  return { outboxKeys, channelOrder, nudged: members.map((m) => m.identities[0]!.user) };
}
