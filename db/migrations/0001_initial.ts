// The first schema: the same file for SQLite and PostgreSQL. Portable types only (text, integer);
// the two places the dialects must differ (WITHOUT ROWID, the outbox sequence) branch on `dialect`.
import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function initial(dialect: SqlDialect): Migration {
  return {
    up: (db) => up(db, dialect),
    down,
  };
}

async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const sqlite = dialect === 'sqlite';

  await db.schema
    .createTable('partnerships')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('review_date', 'text')
    .addColumn('last_review_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('partnerships_status').on('partnerships').columns(['status', 'id']).execute();

  await db.schema
    .createTable('channels')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('workspace', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('partnership_id', 'text', (c) => c.notNull().references('partnerships.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('channels_pk', ['platform', 'workspace', 'channel'])
    .execute();
  await db.schema.createIndex('channels_partnership').on('channels').column('partnership_id').execute();

  await db.schema
    .createTable('members')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('partnership_id', 'text', (c) => c.notNull().references('partnerships.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('sector', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('members_partnership').on('members').columns(['partnership_id', 'joined_at']).execute();

  await db.schema
    .createTable('member_identities')
    .addColumn('partnership_id', 'text', (c) => c.notNull().references('partnerships.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('workspace', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_identities_pk', ['partnership_id', 'platform', 'workspace', 'user_id'])
    .execute();
  // membersByIdentity looks an identity up across partnerships; a member's identities load in order.
  await db.schema
    .createIndex('member_identities_identity')
    .on('member_identities')
    .columns(['platform', 'workspace', 'user_id'])
    .execute();
  await db.schema
    .createIndex('member_identities_member')
    .on('member_identities')
    .columns(['member_id', 'position'])
    .execute();

  await db.schema
    .createTable('consultations')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('partnership_id', 'text', (c) => c.notNull().references('partnerships.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('feedback', 'text')
    .addColumn('feedback_at', 'text')
    .execute();
  await db.schema
    .createIndex('consultations_partnership')
    .on('consultations')
    .columns(['partnership_id', 'status', 'deadline'])
    .execute();

  await db.schema
    .createTable('consultation_responses')
    .addColumn('consultation_id', 'text', (c) => c.notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('proposed_date', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('consultation_responses_pk', ['consultation_id', 'member_id'])
    .execute();
  await db.schema
    .createIndex('consultation_responses_member')
    .on('consultation_responses')
    .column('member_id')
    .execute();

  await db.schema
    .createTable('polls')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('partnership_id', 'text', (c) => c.notNull().references('partnerships.id').onDelete('cascade'))
    .addColumn('form', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('closes_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('k', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('polls_partnership').on('polls').columns(['partnership_id', 'status', 'opened_at']).execute();

  // Anonymity by construction: no member id, no timestamp, no surrogate id; key order, not insertion order.
  let answers = db.schema
    .createTable('poll_answers')
    .addColumn('poll_id', 'text', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('voter_hash', 'text', (c) => c.notNull())
    .addColumn('block', 'text', (c) => c.notNull())
    .addColumn('sector', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('poll_answers_pk', ['poll_id', 'voter_hash', 'block']);
  if (sqlite) answers = answers.modifyEnd(sql`without rowid`);
  await answers.execute();

  let comments = db.schema
    .createTable('poll_comments')
    .addColumn('poll_id', 'text', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('poll_comments_pk', ['poll_id', 'id']);
  if (sqlite) comments = comments.modifyEnd(sql`without rowid`);
  await comments.execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('partnership_id', 'text', (c) => c.notNull().references('partnerships.id').onDelete('cascade'))
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addUniqueConstraint('jobs_kind_ref_step', ['kind', 'ref', 'step'])
    .execute();
  // Partial indexes: a tick reads only pending rows, so it costs what is due, not what exists.
  await db.schema
    .createIndex('jobs_pending_due')
    .on('jobs')
    .columns(['due_at', 'id'])
    .where(sql.ref('done_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('jobs_pending_partnership')
    .on('jobs')
    .columns(['partnership_id', 'due_at'])
    .where(sql.ref('done_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('seq', 'integer', (c) =>
      sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('partnership_id', 'text')
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('outbox_pending_due')
    .on('outbox')
    .columns(['next_attempt_at', 'seq'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema.createIndex('outbox_partnership_status').on('outbox').columns(['partnership_id', 'status']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('partnership_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_partnership').on('audit_log').columns(['partnership_id', 'at']).execute();
}

async function down(db: Kysely<any>): Promise<void> {
  const tables = [
    'audit_log',
    'outbox',
    'jobs',
    'poll_comments',
    'poll_answers',
    'polls',
    'consultation_responses',
    'consultations',
    'member_identities',
    'members',
    'channels',
    'partnerships',
  ];
  for (const table of tables) await db.schema.dropTable(table).ifExists().execute();
}
