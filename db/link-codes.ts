// Link codes: short-lived, one-time, random. Taking a code deletes it in the same transaction.
import type { Kysely } from 'kysely';
import type { Repo } from '../src/domain/ports.ts';
import { sqlOf } from './privacy-store.ts';

interface LinkTables {
  link_codes: { code: string; partnership_id: string; member_id: string; expires_at: string };
}

function db(repo: Repo): Kysely<LinkTables> {
  return sqlOf(repo) as unknown as Kysely<LinkTables>;
}

export async function saveLinkCode(repo: Repo, code: string, partnershipId: string, memberId: string, expiresAt: Date): Promise<void> {
  await db(repo)
    .insertInto('link_codes')
    .values({ code, partnership_id: partnershipId, member_id: memberId, expires_at: expiresAt.toISOString() })
    .execute();
}

/** The code's partnership and member if it exists and has not expired; the code is used up either way. */
export async function takeLinkCode(repo: Repo, code: string, now: Date): Promise<{ partnershipId: string; memberId: string } | null> {
  const row = await db(repo).deleteFrom('link_codes').where('code', '=', code).returning(['partnership_id', 'member_id', 'expires_at']).executeTakeFirst();
  if (!row || Date.parse(row.expires_at) <= now.getTime()) return null;
  return { partnershipId: row.partnership_id, memberId: row.member_id };
}
