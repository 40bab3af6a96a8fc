// SQLite checkpoints off the event loop (db/wal-checkpoints.ts): the bot's connection never copies
// the WAL back itself (a checkpoint syncs two files and can stall every request for a while); a worker
// does it while the bot writes, and everything is folded back into the database file on close.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/connect.ts';
import type { SqlStore } from '../../db/store.ts';

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('SQLite checkpoints', () => {
  let dir: string;
  let file: string;
  let store: SqlStore | null;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'partnerbot-wal-'));
    file = join(dir, 'bot.sqlite');
    store = await openStore(file);
    await sql`create table scratch (id integer primary key, body text not null)`.execute(store.db);
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = async (rows: number) => {
    for (let i = 0; i < rows; i++) await sql`insert into scratch (body) values (${'x'.repeat(4000)})`.execute(store!.db);
  };

  it('are never taken by the bot’s own connection', async () => {
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store!.db);
    expect(rows[0]?.wal_autocheckpoint).toBe(0);
    await write(1200); // ~4.8 MB: past the 1000 pages at which SQLite would checkpoint in the commit
    // The WAL grew past them: no commit stopped to copy it back and start it over.
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(4_400_000);
  });

  it('are taken in the background while the bot writes, and the WAL is folded back on close', async () => {
    await write(600);
    // The worker copies the pages into the database file within a few seconds.
    expect(await until(() => statSync(file).size > 2_000_000, 10_000)).toBe(true);
    await write(10);
    await store!.close();
    store = null;
    // The last connection to close (the worker's, when it was mid-checkpoint) checkpoints and removes
    // the WAL: nothing is left behind. Generous: under a full parallel test run fsyncs take seconds.
    expect(await until(() => !existsSync(`${file}-wal`), 20_000)).toBe(true);
    const again = await openStore(file);
    const { rows } = await sql<{ n: number }>`select count(*) as n from scratch`.execute(again.db);
    expect(Number(rows[0]?.n)).toBe(610);
    await again.close();
  }, 45_000);
});
