// One bot per SQLite file. SQLite serialises writers, so a second process would not corrupt the data,
// but two schedulers and dispatchers without row locks would each send the same due work.
//
// The lock is an exclusive SQLite lock held on a side file ("<database>.lock") for the life of the
// process: the operating system drops it when the process ends, however it ends (kill -9 included),
// so unlike a pid file it never goes stale and is not fooled by a reused pid (pid 1 in every
// container). The database itself stays in ordinary WAL mode, so `sqlite3 … ".backup"` still works
// while the bot runs.
import { resolve } from 'node:path';
import SQLite from 'better-sqlite3';

export class InstanceLockedError extends Error {
  override name = 'InstanceLockedError';
}

export interface InstanceLock {
  readonly path: string;
  release(): void;
}

export function lockSqliteInstance(databasePath: string): InstanceLock {
  const path = `${resolve(databasePath)}.lock`;
  const db = new SQLite(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    const busy = (err as { code?: string }).code?.startsWith('SQLITE_BUSY');
    if (!busy) throw new Error(`Cannot create the lock file ${path}: ${(err as Error).message}`, { cause: err });
    throw new InstanceLockedError(
      `Another partnerbot is already running on the SQLite database ${databasePath} (it holds ${path}; \`fuser ${path}\` shows which process). ` +
        'SQLite serves one instance only: stop the other one, or use PostgreSQL (DATABASE_URL=postgres://…) to run several.',
    );
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      db.close(); // ends the transaction and drops the lock
    },
  };
}
