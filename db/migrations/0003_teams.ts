// Teams conversation references (filled in by the Teams adapter work).
import type { Migration } from 'kysely';
import type { SqlDialect } from '../schema.ts';

export function teamsTables(_dialect: SqlDialect): Migration {
  return {
    up: async () => {},
    down: async () => {},
  };
}
