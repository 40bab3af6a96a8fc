// The voter-hash key: from PARTNERBOT_SECRET, else generated once and kept beside the SQLite file.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder of the SQLite database a DATABASE_URL names, or null for memory / PostgreSQL. */
export function sqliteFolder(url: string | undefined): string | null {
  if (!url) return 'data';
  if (/^postgres(ql)?:\/\//.test(url)) return null;
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  return path === ':memory:' ? null : dirname(path);
}

export function loadSecret(configured: string | undefined, databaseUrl: string | undefined): string {
  if (configured) return configured;
  const folder = sqliteFolder(databaseUrl);
  if (!folder) return randomBytes(32).toString('base64url');
  const file = join(folder, 'partnerbot.secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(folder, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
