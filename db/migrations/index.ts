// Every migration, in order, for a static MigrationProvider (no file-system imports at run time).
// Add new migrations here with the next number; never edit one that has shipped.
import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialect } from '../schema.ts';
import { initial } from './0001_initial.ts';
import { slackTables } from './0002_slack.ts';
import { teamsTables } from './0003_teams.ts';
import { privacyTables } from './0004_privacy.ts';
import { reliabilityTables } from './0005_reliability.ts';
import { linkTables } from './0006_links.ts';
import { retentionTables } from './0007_retention.ts';

export function migrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_slack': slackTables(dialect),
    '0003_teams': teamsTables(dialect),
    '0004_privacy': privacyTables(dialect),
    '0005_reliability': reliabilityTables(dialect),
    '0006_links': linkTables(dialect),
    '0007_retention': retentionTables(dialect),
  };
}

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
