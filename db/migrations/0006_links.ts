// One-time codes that connect a second platform's channel or account to a partnership.
import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function linkTables(_dialect: SqlDialect): Migration {
  return {
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable('link_codes')
        .addColumn('code', 'text', (c) => c.primaryKey().notNull())
        .addColumn('partnership_id', 'text', (c) => c.notNull().references('partnerships.id').onDelete('cascade'))
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
    down: async (db: Kysely<any>) => {
      await db.schema.dropTable('link_codes').execute();
    },
  };
}
