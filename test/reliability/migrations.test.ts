// Upgrades: a database made by every earlier migration set (0001; 0001–0002; …) and filled with data
// of that time migrates to the latest without losing anything, on SQLite and PostgreSQL, and its old
// data goes through retention; and the reliability and retention migrations can be rolled back and
// applied again.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { laneOf } from '../../db/rows.ts';
import { runRetention } from '../../src/bot/jobs/retention.ts';
import type { Target } from '../../src/domain/partnership.ts';
import { migrationProvider, migrations } from '../../db/migrations/index.ts';
import type { SqlDialect } from '../../db/schema.ts';
import type { SqlStore } from '../../db/store.ts';
import { TEST_DATABASE_URL } from '../../db/testing.ts';
import { DIALECTS } from './support/dialects.ts';

const dir = mkdtempSync(join(tmpdir(), 'partnerbot-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = Object.keys(migrations('sqlite'));
const AT = '2026-05-01T09:00:00.000Z';

/** A store without migrations, plus the schema to drop (PostgreSQL). */
async function blank(dialect: string, name: string): Promise<{ store: SqlStore; schema?: string; dispose(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const store = await connect(join(dir, `${name}-${randomBytes(3).toString('hex')}.sqlite`));
    return { store, dispose: () => store.close() };
  }
  const schema = `mig_${process.pid}_${randomBytes(4).toString('hex')}`;
  const store = await connect(TEST_DATABASE_URL, { schema });
  return {
    store,
    schema,
    dispose: async () => {
      await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await store.close();
    },
  };
}

function migrator(db: Kysely<any>, dialect: SqlDialect, schema?: string): Migrator {
  return new Migrator({ db, provider: migrationProvider(dialect), ...(schema ? { migrationTableSchema: schema } : {}) });
}

/** Rows as each migration's tables first held them, written with that migration's columns only. */
const FILL: Record<string, (db: Kysely<any>) => Promise<void>> = {
  '0001_initial': async (db) => {
    await db.insertInto('partnerships').values({ id: 'pt-old', name: 'Old Partnership', purpose: 'Legacy', timezone: 'Europe/London', region: 'GB', settings: '{"minNoticeDays":84}', review_date: '2026-12-01', last_review_at: null, status: 'active', created_at: AT }).execute();
    await db.insertInto('channels').values({ platform: 'local', workspace: 'local', channel: 'general', partnership_id: 'pt-old' }).execute();
    for (const [id, user] of [['m-ann', 'ann'], ['m-bob', 'bob']]) {
      await db.insertInto('members').values({ id, partnership_id: 'pt-old', name: user, roles: '["member"]', sector: 'third', organisation: 'Org', joined_at: AT }).execute();
      await db.insertInto('member_identities').values({ partnership_id: 'pt-old', platform: 'local', workspace: 'local', user_id: user, member_id: id, position: 0 }).execute();
    }
    await db.insertInto('consultations').values({ id: 'c-old', partnership_id: 'pt-old', title: 'Old plan', link: null, owner_id: 'm-ann', opened_at: AT, deadline: '2026-09-01', audience: '{"all":true}', status: 'open', feedback: null, feedback_at: null }).execute();
    await db.insertInto('consultation_responses').values({ consultation_id: 'c-old', member_id: 'm-bob', kind: 'responded', proposed_date: null, at: AT }).execute();
    await db.insertInto('polls').values({ id: 'p-old', partnership_id: 'pt-old', form: 'short', opened_at: AT, closes_at: '2026-05-06T09:00:00.000Z', status: 'open', k: 5, created_by: 'm-ann' }).execute();
    await db.insertInto('poll_answers').values({ poll_id: 'p-old', voter_hash: 'h1', block: 'trust', sector: 'third', score: 4 }).execute();
    await db.insertInto('poll_comments').values({ poll_id: 'p-old', id: 'x1', text: 'Good start' }).execute();
    await db.insertInto('jobs').values({ id: 'j-old', kind: 'digest', partnership_id: 'pt-old', ref: 'pt-old', step: '2026-05-04', due_at: '2026-05-04T08:00:00.000Z', done_at: null }).execute();
    const target = (user: string) => JSON.stringify({ kind: 'user', platform: 'local', workspace: 'local', user });
    const message = JSON.stringify({ heading: 'Old news', blocks: [] });
    for (const [n, status, user] of [[1, 'pending', 'ann'], [2, 'sent', 'ann'], [3, 'dead', 'bob'], [4, 'pending', 'ann']] as const) {
      await db.insertInto('outbox').values({ id: `o-${n}`, key: `old:${n}`, partnership_id: 'pt-old', target: target(user), message, status, attempts: status === 'pending' ? 0 : 1, created_at: AT, next_attempt_at: AT, sent_at: status === 'sent' ? AT : null, last_error: status === 'dead' ? 'channel_not_found' : null }).execute();
    }
    await db.insertInto('audit_log').values({ id: 'a-old', partnership_id: 'pt-old', actor_id: 'm-ann', action: 'setup', detail: 'Old Partnership', at: AT }).execute();
  },
  '0002_slack': async (db) => {
    await db.insertInto('slack_installations').values({ workspace: 'T1', team_id: 'T1', enterprise_id: null, enterprise_install: 0, installation: '{"team":{"id":"T1"}}', installed_at: AT, updated_at: AT }).execute();
  },
  // From here on the app writes each pending row's lane with it.
  '0005_reliability': async (db) => {
    for (const row of await db.selectFrom('outbox').select(['id', 'target']).where('lane', 'is', null).execute()) {
      await db.updateTable('outbox').set({ lane: laneOf(JSON.parse(String(row.target)) as Target) }).where('id', '=', row.id).execute();
    }
  },
  '0006_links': async (db) => {
    await db.insertInto('link_codes').values({ code: 'k7m2-q9x4', partnership_id: 'pt-old', member_id: 'm-ann', expires_at: '2026-05-01T10:00:00.000Z' }).execute();
  },
  '0003_teams': async (db) => {
    await db.insertInto('teams_conversations').values({ conversation_id: '19:abc@thread.tacv2', tenant_id: 'tn-1', kind: 'channel', reference: '{"conversation":{"id":"19:abc"}}', updated_at: AT }).execute();
    await db.insertInto('teams_users').values({ tenant_id: 'tn-1', aad_object_id: 'aad-1', user_id: '29:1', name: 'Ann', personal_conversation_id: null, updated_at: AT }).execute();
  },
};

async function expectNothingLost(store: SqlStore, upTo: number): Promise<void> {
  const p = await store.partnership('pt-old');
  // Partnerships from before 0007_retention keep the 24 months that applied to them.
  expect(p).toMatchObject({ name: 'Old Partnership', reviewDate: '2026-12-01', status: 'active', retentionMonths: 24 });
  expect(await store.channels('pt-old')).toEqual([{ platform: 'local', workspace: 'local', channel: 'general' }]);
  expect((await store.members('pt-old')).map((m) => [m.id, m.identities[0]?.user])).toEqual([['m-ann', 'ann'], ['m-bob', 'bob']]);
  expect(await store.consultation('c-old')).toMatchObject({ title: 'Old plan', status: 'open' });
  expect((await store.responses('c-old')).map((r) => r.memberId)).toEqual(['m-bob']);
  expect(await store.ballots('p-old')).toEqual([{ sector: 'third', answers: { trust: 4 } }]);
  expect(await store.comments('p-old')).toEqual(['Good start']);
  expect((await store.pendingJobs('pt-old', 10)).map((j) => j.id)).toEqual(['j-old']);
  expect(await store.outboxCounts('pt-old')).toEqual({ pending: 2, sent: 1, dead: 1 });
  expect(await store.outboxDepth()).toEqual({ pending: 2, dead: 1 });
  // Old pending rows work with claims: both to ann, so one conversation, claimed in order.
  const claim = { owner: 'upgrade-test', until: '2026-05-01T10:00:00.000Z' };
  expect((await store.claimOutbox(AT, claim, 10)).map((r) => r.key)).toEqual(['old:1']);
  await store.markSent('o-1', AT);
  expect((await store.claimOutbox(AT, claim, 10)).map((r) => r.key)).toEqual(['old:4']);
  expect((await store.claimJobs('2026-05-05T00:00:00.000Z', claim, 10)).map((j) => j.id)).toEqual(['j-old']);
  if (upTo >= 2) expect(await store.db.selectFrom('slack_installations' as never).selectAll().execute()).toHaveLength(1);
  if (upTo >= 3) expect(await store.db.selectFrom('teams_users' as never).selectAll().execute()).toHaveLength(1);
  if (upTo >= 6) expect(await store.db.selectFrom('link_codes' as never).selectAll().execute()).toHaveLength(1);
}

/** The upgraded data through the retention path: a period of its own, bounded, and old responses reduced to counts. */
async function expectRetentionWorks(store: SqlStore): Promise<void> {
  const p = (await store.partnership('pt-old'))!;
  await expect(store.updatePartnership({ ...p, retentionMonths: 0 })).rejects.toThrow();
  await store.updatePartnership({ ...p, retentionMonths: 6 });
  expect((await store.partnership('pt-old'))!.retentionMonths).toBe(6);
  await store.updateConsultation({ ...(await store.consultation('c-old'))!, status: 'awaiting_feedback' });
  // Due 1 Sep 2026 (ends 23:00 UTC); six months on is 1 Mar 2027 23:00 UTC.
  const early = await store.transaction(async (tx) => runRetention(tx, (await tx.partnership('pt-old'))!, new Date('2027-03-01T22:00:00Z')));
  expect(early.consultations).toEqual([]);
  const run = await store.transaction(async (tx) => runRetention(tx, (await tx.partnership('pt-old'))!, new Date('2027-03-02T00:00:00Z')));
  expect(run.consultations).toEqual(['c-old']);
  expect(await store.responses('c-old')).toEqual([]);
  const kept = await store.db.selectFrom('consultation_summaries' as never).selectAll().execute();
  expect(kept).toEqual([expect.objectContaining({ consultation_id: 'c-old', answered: 1 })]);
}

describe.each(DIALECTS)('upgrading on $name', ({ name: dialect }) => {
  const sqlDialect = dialect as SqlDialect;
  const olderSets = NAMES.slice(0, -1).map((last, i) => ({ last, count: i + 1 }));

  it.each(olderSets)('from a database made by the migrations up to $last, filled, to the latest', async ({ last, count }) => {
    const { store, schema, dispose } = await blank(dialect, last);
    try {
      const { error } = await migrator(store.db, sqlDialect, schema).migrateTo(last);
      expect(error).toBeUndefined();
      for (const name of NAMES.slice(0, count)) await FILL[name]?.(store.db);
      expect(await migrateToLatest(store.db, sqlDialect)).toEqual(NAMES.slice(count));
      await expectNothingLost(store, count);
      await expectRetentionWorks(store);
    } finally {
      await dispose();
    }
  });

  it.each(['0005_reliability', '0007_retention'])('rolls %s back and forward again without loss', async (target) => {
    const { store, schema, dispose } = await blank(dialect, 'down');
    try {
      const m = migrator(store.db, sqlDialect, schema);
      const before = NAMES[NAMES.indexOf(target) - 1]!;
      expect((await m.migrateTo(before)).error).toBeUndefined();
      for (const name of NAMES.slice(0, NAMES.indexOf(before) + 1)) await FILL[name]?.(store.db);
      expect((await m.migrateToLatest()).error).toBeUndefined();
      const down = await m.migrateTo(before);
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toContainEqual([target, 'Down', 'Success']);
      expect(await migrateToLatest(store.db, sqlDialect)).toEqual(NAMES.slice(NAMES.indexOf(before) + 1));
      await expectNothingLost(store, NAMES.indexOf(before) + 1);
      await expectRetentionWorks(store);
    } finally {
      await dispose();
    }
  });
});
