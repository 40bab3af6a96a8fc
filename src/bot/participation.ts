// Participation equity: organisations that have stopped answering consultations are named to the
// coordinators by direct message, never in a channel. Runs with each weekly digest; the outbox key
// names what was missed, so the same silence is reported once and only a new miss reports again.
import { createHash } from 'node:crypto';
import { quietMessage, quietOrganisations } from '../domain/charts.ts';
import type { ConsultationRecord } from '../domain/digest.ts';
import { hasRole, type Member, type Partnership } from '../domain/partnership.ts';
import type { NewOutbox, Repo } from '../domain/ports.ts';
import { consultationRecords } from './handlers/digest.ts';
import { directMessages } from './outbox.ts';

/** Tells the coordinators which organisations have gone quiet; returns how many were named. */
export async function flagQuietOrganisations(tx: Repo, p: Partnership, now: Date): Promise<number> {
  const [members, consultations] = await Promise.all([tx.members(p.id), tx.consultations(p.id)]);
  const { named, rows } = quietNotes(await consultationRecords(tx, consultations, members), members, p, now);
  if (rows.length) await tx.enqueue(rows, now.toISOString());
  return named;
}

/** The coordinators' direct messages naming the quiet organisations (`records`: all the partnership's
 * consultations), and how many were named: none when none is quiet or nobody coordinates. */
export function quietNotes(records: readonly ConsultationRecord[], members: Member[], p: Partnership, now: Date): { named: number; rows: NewOutbox[] } {
  const quiet = quietOrganisations(records, members, p, now);
  const coordinators = members.filter((m) => hasRole(m, 'coordinator'));
  if (!quiet.length || !coordinators.length) return { named: 0, rows: [] };
  const what = quiet.map((q) => `${q.organisation}:${q.missed[0]!.id}`).sort().join('|');
  const key = `quiet:${p.id}:${createHash('sha256').update(what).digest('hex').slice(0, 16)}`;
  return { named: quiet.length, rows: directMessages(coordinators, key, quietMessage(p, quiet)) };
}
