// The review pack as a document: the pack message the chair gets in chat, with the charts placed in
// their sections and the period's "you said, we did" feedback written out in full, ready for print.
import type { ConsultationRecord } from '../../domain/digest.ts';
import { b, para, plain, t, u, type Block, type Message } from '../../domain/message.ts';
import type { Partnership } from '../../domain/partnership.ts';
import { periodStart } from '../../domain/review.ts';
import { formatDate, localDate } from '../../domain/time.ts';

/** The section headings of `reviewPack` (src/domain/review.ts) that charts go under. */
export const PACK_SECTIONS = { trend: 'Pulse trends', participation: 'Who took part', overdue: 'Overdue' } as const;

function isHeading(bl: Block, startsWith: string): boolean {
  return bl.kind === 'text' && bl.text.length > 0 && bl.text.every((s) => s.bold) && plain(bl.text).startsWith(startsWith);
}

/** Inserts `extra` at the end of the section headed `heading` (before the next heading or divider); at the end when there is no such section. */
export function insertInSection(blocks: readonly Block[], heading: string, extra: readonly Block[]): Block[] {
  const at = blocks.findIndex((bl) => isHeading(bl, heading));
  if (at < 0) return [...blocks, ...extra];
  let end = at + 1;
  while (end < blocks.length && !(blocks[end]!.kind === 'divider' || (blocks[end]!.kind === 'text' && isHeading(blocks[end]!, '')))) end++;
  return [...blocks.slice(0, end), ...extra, ...blocks.slice(end)];
}

/** Inserts `extra` before the section headed `heading`; at the end when there is none. */
export function insertBeforeSection(blocks: readonly Block[], heading: string, extra: readonly Block[]): Block[] {
  const at = blocks.findIndex((bl) => isHeading(bl, heading));
  return at < 0 ? [...blocks, ...extra] : [...blocks.slice(0, at), ...extra, ...blocks.slice(at)];
}

/** Feedback posted on consultations whose deadline fell in the review period, as written. */
export function feedbackBlocks(records: readonly ConsultationRecord[], p: Partnership): Block[] {
  const since = localDate(periodStart(p), p.timezone);
  const given = records
    .filter((r) => r.consultation.status === 'closed' && r.consultation.feedback && r.consultation.deadline >= since)
    .sort((x, y) => x.consultation.deadline.localeCompare(y.consultation.deadline));
  const out: Block[] = [para(b('“You said, we did” in the period'))];
  if (!given.length) return [...out, para(t('No feedback was posted on consultations in the period.'))];
  for (const r of given) {
    out.push(para(t('• '), u(r.consultation.title), t(` (deadline ${formatDate(r.consultation.deadline)}): `), u(r.consultation.feedback!)));
  }
  return out;
}

export interface PackCharts {
  trend?: Block;
  participation?: Block;
}

/** The pack message with its charts in their sections (what chat shows, minus the file). */
export function packWithCharts(pack: Message, charts: PackCharts): Message {
  let blocks = pack.blocks;
  if (charts.trend) blocks = insertInSection(blocks, PACK_SECTIONS.trend, [charts.trend]);
  if (charts.participation) blocks = insertInSection(blocks, PACK_SECTIONS.participation, [charts.participation]);
  return { ...pack, blocks };
}

/** The printable document: the pack with charts, and the feedback in full before "Overdue". */
export function packDocument(pack: Message, charts: PackCharts, records: readonly ConsultationRecord[], p: Partnership): Message {
  const withCharts = packWithCharts(pack, charts);
  return { heading: `Review pack: ${p.name}`, blocks: insertBeforeSection(withCharts.blocks, PACK_SECTIONS.overdue, feedbackBlocks(records, p)) };
}
