// Participation equity: organisations that have stopped answering consultations are named to the
// coordinators by direct message, never in a channel. Runs with each weekly digest; the outbox key
// names what was missed, so the same silence is reported once and only a new miss reports again.
import { createHash } from 'node:crypto';
import { quietMessage, quietOrganisations } from '../domain/charts.ts';
import { hasRole, type Partnership } from '../domain/partnership.ts';
import type { Repo } from '../domain/ports.ts';
import { consultationRecords } from './handlers/digest.ts';
import { toMembers } from './outbox.ts';

/** Tells the coordinators which organisations have gone quiet; returns how many were named. */
export async function flagQuietOrganisations(tx: Repo, p: Partnership, now: Date): Promise<number> {
  const [members, consultations] = await Promise.all([tx.members(p.id), tx.consultations(p.id)]);
  const quiet = quietOrganisations(await consultationRecords(tx, consultations, members), members, p, now);
  const coordinators = members.filter((m) => hasRole(m, 'coordinator'));
  if (!quiet.length || !coordinators.length) return 0;
  const what = quiet.map((q) => `${q.organisation}:${q.missed[0]!.id}`).sort().join('|');
  const key = `quiet:${p.id}:${createHash('sha256').update(what).digest('hex').slice(0, 16)}`;
  await toMembers(tx, coordinators, key, quietMessage(p, quiet), now);
  return quiet.length;
}
