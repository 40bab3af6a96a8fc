// Privacy: retention and erasure support (filled in by the security work).
import type { Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function privacyTables(_dialect: SqlDialect): Migration {
  return {
    up: async () => {},
    down: async () => {},
  };
}
