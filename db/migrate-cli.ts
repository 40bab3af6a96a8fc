// `npm run migrate`: migrates the database named by DATABASE_URL and says what ran.
import { connect, parseDatabaseUrl, redact } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const target = parseDatabaseUrl(url);
  const where = target.kind === 'sqlite' ? `SQLite ${target.path}` : `PostgreSQL ${redact(target.url)}`;
  const store = await connect(url);
  try {
    const ran = await migrateToLatest(store.db, store.dialect);
    if (ran.length === 0) console.log(`${where}: already up to date.`);
    else for (const name of ran) console.log(`${where}: applied ${name}`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
