// Teams conversation references (for proactive sends) and the Teams users the bot has seen.
// Portable types only; the same file for SQLite and PostgreSQL.
import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function teamsTables(_dialect: SqlDialect): Migration {
  return { up, down };
}

async function up(db: Kysely<any>): Promise<void> {
  // One row per conversation the bot can post into: a team channel (its id without ";messageid="),
  // a group chat, or a personal (1:1) chat, with the team a channel belongs to. `reference` is the Bot Framework ConversationReference as JSON.
  await db.schema
    .createTable('teams_conversations')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Teams tells of a new team member on the team, not the channel: find the team's channels.
  await db.schema.createIndex('teams_conversations_team').on('teams_conversations').column('team_id').execute();

  // A person as Teams knows them: tenant + AAD object id (our identity), the per-bot user id ("29:…")
  // that mentions need, and their personal conversation with the bot once there is one.
  await db.schema
    .createTable('teams_users')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('aad_object_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('personal_conversation_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('teams_users_pk', ['tenant_id', 'aad_object_id'])
    .execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('teams_users').ifExists().execute();
  await db.schema.dropTable('teams_conversations').ifExists().execute();
}
