// Slack installations (OAuth, many workspaces): one row per workspace the app is installed in, keyed
// by our workspace identity (team id, or enterprise id for an org-wide install). Portable types only.
import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function slackTables(_dialect: SqlDialect): Migration {
  return { up, down };
}

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('slack_installations')
    .addColumn('workspace', 'text', (c) => c.primaryKey().notNull())
    .addColumn('team_id', 'text')
    .addColumn('enterprise_id', 'text')
    .addColumn('enterprise_install', 'integer', (c) => c.notNull())
    // The @slack/oauth Installation as JSON (tokens included: protect the database like a secret).
    .addColumn('installation', 'text', (c) => c.notNull())
    .addColumn('installed_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('slack_installations_enterprise').on('slack_installations').columns(['enterprise_id', 'enterprise_install']).execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('slack_installations').ifExists().execute();
}
