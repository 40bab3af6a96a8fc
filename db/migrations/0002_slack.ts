// Slack installations (filled in by the Slack adapter work).
import type { Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function slackTables(_dialect: SqlDialect): Migration {
  return {
    up: async () => {},
    down: async () => {},
  };
}
