// Reliability: claims and leases for several instances (filled in by the reliability work).
import type { Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function reliabilityTables(_dialect: SqlDialect): Migration {
  return {
    up: async () => {},
    down: async () => {},
  };
}
