// Shared set-up for the security tests: two partnerships side by side, actors, the real command
// runner, and row counts of every table (to prove a failed request changed nothing).
import { sql } from 'kysely';
import { redact } from '../../db/connect.ts';
import { TEST_DATABASE_URL, openPostgresTestStore, openSqliteTestStore, postgresAnswers, type TestStore } from '../../db/testing.ts';
import pino, { type Logger } from 'pino';
import type { SqlStore } from '../../db/store.ts';
import { HANDLERS } from '../../src/bot/app.ts';
import type { Actor, Deps } from '../../src/bot/context.ts';
import { createCommandRunner, type CommandRunner } from '../../src/bot/handlers.ts';
import { voterHasher } from '../../src/bot/ids.ts';
import { plain, type Message } from '../../src/domain/message.ts';
import type { ChannelRef, ChatIdentity } from '../../src/domain/partnership.ts';
import { consultation, member, partnership, poll } from '../support/fixtures.ts';

export const NOW = new Date('2027-01-04T10:00:00Z');

export const A_GENERAL: ChannelRef = { platform: 'local', workspace: 'local', channel: 'general' };
export const A_SLACK: ChannelRef = { platform: 'slack', workspace: 'T1', channel: 'C1' };
export const B_CHANNEL: ChannelRef = { platform: 'local', workspace: 'local', channel: 'other' };

export const local = (user: string): ChatIdentity => ({ platform: 'local', workspace: 'local', user });

/** Ids of the seeded records, shaped like real ones (prefix + 8 characters). */
export const IDS = {
  a: { open: 'c-aaaaaaaa', done: 'c-aaaaaaad', poll: 'p-aaaaaaaa' },
  b: { open: 'c-bbbbbbbb', done: 'c-bbbbbbbd', poll: 'p-bbbbbbbb' },
} as const;

/**
 * Partnership A (pt-a: #general and a Slack channel) with a coordinator, a chair and a member, an
 * open consultation, one awaiting feedback and an open poll (IDS.a); partnership B (pt-b: #other)
 * with its own coordinator and the same kinds of things (IDS.b).
 */
export async function seedTwoPartnerships(store: SqlStore): Promise<void> {
  const a = partnership({ id: 'pt-a', name: 'Riverside Partnership' });
  const b = partnership({ id: 'pt-b', name: 'Hillside Partnership' });
  await store.insertPartnership(a);
  await store.insertPartnership(b);
  await store.addChannel(a.id, A_GENERAL);
  await store.addChannel(a.id, A_SLACK);
  await store.addChannel(b.id, B_CHANNEL);
  await store.insertMember(member('Coord', { partnershipId: a.id, roles: ['coordinator'] }));
  await store.insertMember(member('Chair', { partnershipId: a.id, roles: ['chair'], sector: 'third' }));
  await store.insertMember(member('Mem', { partnershipId: a.id, roles: ['member'], sector: 'private' }));
  await store.insertMember(member('BCoord', { partnershipId: b.id, roles: ['coordinator'] }));
  for (const [p, owner] of [['pt-a', 'm-coord'], ['pt-b', 'm-bcoord']] as const) {
    const x = p.slice(3) as 'a' | 'b';
    await store.insertConsultation(consultation({ id: IDS[x].open, partnershipId: p, ownerId: owner, title: `Plan ${x}`, openedAt: '2027-01-01T09:00:00Z', deadline: '2027-04-30' }));
    await store.insertConsultation(consultation({ id: IDS[x].done, partnershipId: p, ownerId: owner, title: `Old plan ${x}`, status: 'awaiting_feedback', deadline: '2026-12-15' }));
    await store.insertPoll(poll({ id: IDS[x].poll, partnershipId: p, status: 'open', openedAt: '2027-01-01T10:00:00.000Z', closesAt: '2027-01-08T09:30:00.000Z', createdBy: owner }));
  }
}

export function testDeps(store: SqlStore, opts: { now?: Date | (() => Date); log?: Logger } = {}): Deps {
  let n = 0;
  const now = opts.now ?? NOW;
  return {
    store,
    clock: { now: typeof now === 'function' ? now : () => now },
    ids: { next: (prefix) => `${prefix}-${String(++n).padStart(8, 'x')}` },
    log: opts.log ?? pino({ level: 'silent' }),
    voterHash: voterHasher('test-secret-for-security-tests'),
  };
}

export function runner(deps: Deps): CommandRunner {
  return createCommandRunner(deps, HANDLERS);
}

export function actor(identity: ChatIdentity, channel: ChannelRef | null = A_GENERAL): Actor {
  return { identity, displayName: identity.user, channel };
}

/** Every text a set of replies shows (spans joined, one line a block), for assertions. */
export function texts(messages: Message[]): string {
  return messages
    .flatMap((m) => [m.heading ?? '', ...m.blocks.map((bl) => ('text' in bl ? plain(bl.text) : bl.kind === 'fields' ? bl.fields.map((f) => `${f.label}: ${plain(f.value)}`).join('\n') : ''))])
    .join('\n');
}

/** Rows in every table of the store's schema (SQLite or PostgreSQL). */
export async function rowCounts(store: SqlStore): Promise<Record<string, number>> {
  const tables =
    store.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(store.db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(store.db)).rows.map((r) => r.name);
  const out: Record<string, number> = {};
  for (const t of tables.sort()) {
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(store.db);
    out[t] = Number(r.rows[0]?.n ?? 0);
  }
  return out;
}

// ---- both databases ----------------------------------------------------------------------------

const CI = process.env.CI === 'true';
export const postgresUp = await postgresAnswers();
if (!postgresUp && !CI) console.warn(`PostgreSQL does not answer at ${redact(TEST_DATABASE_URL)}: the PostgreSQL security cases are skipped (with CI=true they fail instead).`);

/** SQLite, and PostgreSQL when it answers (always under CI, so a missing server fails there). */
export const DIALECTS: { name: 'sqlite' | 'postgres'; open: () => Promise<TestStore> }[] = [
  { name: 'sqlite', open: openSqliteTestStore },
  ...(postgresUp || CI ? [{ name: 'postgres' as const, open: () => openPostgresTestStore() }] : []),
];

/** Every row of every table as JSON text, to search for what must be gone. */
export async function dumpAll(store: SqlStore): Promise<string> {
  const out: string[] = [];
  for (const table of Object.keys(await rowCounts(store))) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db)).rows;
    out.push(`${table}: ${JSON.stringify(rows)}`);
  }
  return out.join('\n');
}
