// Every migration, in order, for a static MigrationProvider (no file-system imports at run time).
// Add new migrations here with the next number; never edit one that has shipped.
import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialect } from '../schema.ts';
import { initial } from './0001_initial.ts';

export function migrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
  };
}

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
