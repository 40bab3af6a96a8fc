// Retention per partnership: how many months poll answers and consultation responses are kept after
// closing (default 24), and the anonymous counts that stay of a consultation's responses after that.
import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function retentionTables(_dialect: SqlDialect): Migration {
  return { up, down };
}

async function up(db: Kysely<any>): Promise<void> {
  // Existing partnerships get the default that applied to them until now.
  await db.schema
    .alterTable('partnerships')
    .addColumn('retention_months', 'integer', (c) => c.notNull().defaultTo(24).check(sql`retention_months between 1 and 120`))
    .execute();

  // One row per consultation whose responses are past retention: counts only (JSON of
  // ConsultationSummary in src/domain/retention.ts: asked, answered, on time, by kind and by sector).
  await db.schema
    .createTable('consultation_summaries')
    .addColumn('consultation_id', 'text', (c) => c.primaryKey().notNull().references('consultations.id').onDelete('cascade'))
    .addColumn('asked', 'integer', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('purged_at', 'text', (c) => c.notNull())
    .execute();
}

async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('consultation_summaries').ifExists().execute();
  await db.schema.alterTable('partnerships').dropColumn('retention_months').execute();
}
