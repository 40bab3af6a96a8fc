// Charts as Vega-Lite specs (plain JSON): the pulse trend per building block and who takes part in
// consultations. Pure: the numbers come from functions that already applied the rules (`trend` and
// `pollResults` for the anonymity threshold, `reviewFigures` for participation), nothing is computed
// per person here, and rendering to SVG/PNG is src/bot/render's job.
import type { ConsultationRecord } from './digest.ts';
import { context, message, para, t, u, type Block, type Message, type PulseBlock } from './message.ts';
import { SECTOR_LABELS, type Member, type Partnership, type Sector } from './partnership.ts';
import { BLOCK_TITLES, trend, type Result } from './pulse.ts';
import { endOfLocalDay, formatDate, localDate } from './time.ts';

/** A Vega-Lite spec as JSON. Kept loose so the domain does not depend on vega-lite's types. */
export type VegaLiteSpec = { [key: string]: unknown };

export interface Chart {
  /** Stable name, also used for file names ("trend.png"). */
  name: 'trend' | 'participation';
  title: string;
  /** What the chart shows, in words: the image's alt text and the text-only fallback. */
  alt: string;
  spec: VegaLiteSpec;
  /** The series drawn, in order: building blocks for the trend, groups for participation. */
  series: string[];
}

const FONT = 'DejaVu Sans';
/** Okabe–Ito colours: told apart with the common colour-vision deficiencies. */
const BLOCK_COLOURS: Record<PulseBlock, string> = {
  trust: '#0072B2',
  respect: '#D55E00',
  openness: '#009E73',
  tolerance: '#CC79A7',
  continuity: '#E69F00',
  framework: '#56B4E9',
};
const SECTOR_COLOURS: Record<Sector, string> = { public: '#0072B2', third: '#009E73', private: '#E69F00', community: '#CC79A7' };
const QUIET_COLOUR = '#D55E00';
const ANSWERING_COLOUR = '#0072B2';
/** Where the "withheld" marker sits on the 1–5 scale: the middle, so it reads as "no value", not a low one. */
const WITHHELD_Y = 3;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function shortDate(date: string, withYear: boolean): string {
  const [y, m, d] = date.split('-');
  return `${Number(d)} ${MONTHS[Number(m) - 1] ?? m}${withYear ? ` ${y?.slice(2)}` : ''}`;
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

const baseConfig = {
  font: FONT,
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 11, gridColor: '#eee' },
  header: { labelFontSize: 13, labelFontWeight: 'bold' },
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' },
};

// ---- pulse trend ----------------------------------------------------------------------------------

/** One poll's value for one block, as the chart draws it. */
export interface TrendRow {
  /** Axis label: the local date the poll closed. */
  poll: string;
  pollId: string;
  block: string;
  median: number | null;
  /** The middle half of the answers (interquartile range), as `pollResults` gave it. */
  q1: number | null;
  q3: number | null;
  /** True where the results were withheld for anonymity (too few answered). */
  withheld: boolean;
}

/**
 * Rows for the trend chart: per block, per closed poll (oldest first), the median from `trend()` and
 * the spread `pollResults` published with it. Withheld polls and suppressed blocks stay as rows with
 * no numbers, so the chart can mark them.
 */
export function trendRows(results: readonly Result[], p: Partnership): TrendRow[] {
  const lines = trend(results);
  const byId = new Map(results.map((r) => [r.poll.id, r]));
  const pollIds = [...new Set(Object.values(lines).flatMap((pts) => pts.map((x) => x.pollId)))];
  const dates = new Map(pollIds.map((id) => [id, localDate(byId.get(id)!.poll.closesAt, p.timezone)]));
  const withYear = new Set([...dates.values()].map((d) => d.slice(0, 4))).size > 1;
  // Two polls closing the same day get "#2" so each keeps its own place on the axis.
  const labels = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const id of pollIds) {
    const base = shortDate(dates.get(id)!, withYear);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    labels.set(id, n > 1 ? `${base} #${n}` : base);
  }
  const rows: TrendRow[] = [];
  for (const [block, points] of Object.entries(lines) as [PulseBlock, NonNullable<(typeof lines)[PulseBlock]>][]) {
    for (const pt of points) {
      const r = byId.get(pt.pollId);
      const stats = r?.kind === 'shown' && pt.median !== null ? r.blocks.find((x) => x.block === block)?.stats : null;
      rows.push({
        poll: labels.get(pt.pollId)!,
        pollId: pt.pollId,
        block: BLOCK_TITLES[block],
        median: pt.median,
        q1: stats ? stats.q1 : null,
        q3: stats ? stats.q3 : null,
        withheld: pt.median === null,
      });
    }
  }
  return rows;
}

/**
 * The five building blocks (six with framework) over the given closed polls: per block a small chart
 * with the median as a line, the middle half of answers as a band, and a grey cross where results
 * were withheld. Null when no poll has closed.
 */
export function trendChart(results: readonly Result[], p: Partnership): Chart | null {
  const rows = trendRows(results, p);
  if (!rows.length) return null;
  const blocks = [...new Set(rows.map((r) => r.block))];
  const polls = [...new Set(rows.map((r) => r.poll))];
  const k = Math.min(...results.map((r) => r.poll.k));
  const colours = (Object.keys(BLOCK_TITLES) as PulseBlock[]).filter((x) => blocks.includes(BLOCK_TITLES[x]));
  const y = { type: 'quantitative', scale: { domain: [1, 5] }, axis: { values: [1, 2, 3, 4, 5], format: 'd' }, title: 'score' };
  const color = {
    field: 'block',
    type: 'nominal',
    legend: null,
    scale: { domain: colours.map((x) => BLOCK_TITLES[x]), range: colours.map((x) => BLOCK_COLOURS[x]) },
  };
  const title = `Pulse trend: ${p.name}`;
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      // Short lines: headless Vega over-estimates text width, and a long line would widen the image.
      subtitle: ['Line: median score, 1 (strongly disagree) to 5.', 'Band: the middle half of the answers.', `✕: withheld, fewer than ${k} people answered.`],
    },
    data: { values: rows },
    facet: { field: 'block', type: 'nominal', title: null, sort: blocks },
    columns: Math.min(3, blocks.length),
    spec: {
      width: Math.max(160, 44 * polls.length),
      height: 110,
      encoding: { x: { field: 'poll', type: 'ordinal', sort: polls, title: null, axis: { labelAngle: polls.length > 4 ? -40 : 0 } } },
      layer: [
        // Nulls break the band and the line, so a withheld poll shows as a gap, not a made-up slope.
        { name: 'spread', mark: { type: 'area', opacity: 0.22, clip: true }, encoding: { y: { field: 'q1', ...y }, y2: { field: 'q3' }, color } },
        { name: 'spread_bar', mark: { type: 'rule', strokeWidth: 5, opacity: 0.35, clip: true }, encoding: { y: { field: 'q1', ...y }, y2: { field: 'q3' }, color } },
        { name: 'median', mark: { type: 'line', point: { size: 40 }, strokeWidth: 2.5 }, encoding: { y: { field: 'median', ...y }, color } },
        {
          name: 'withheld',
          transform: [{ filter: 'datum.withheld' }],
          mark: { type: 'point', shape: 'cross', size: 90, filled: true, color: '#888', angle: 45 },
          encoding: { y: { datum: WITHHELD_Y, ...y } },
        },
      ],
    },
    config: baseConfig,
    background: 'white',
  };
  return { name: 'trend', title, alt: trendAlt(rows, blocks, p), spec, series: blocks };
}

function trendAlt(rows: TrendRow[], blocks: string[], p: Partnership): string {
  const lines = blocks.map((block) => {
    const values = rows.filter((r) => r.block === block).map((r) => (r.median === null ? 'withheld' : num(r.median)));
    return `${block} ${values.join(' → ')}`;
  });
  return `Pulse trend for ${p.name}, median per poll, oldest first: ${lines.join('; ')}.`;
}

// ---- participation --------------------------------------------------------------------------------

/** Consultation answers over those asked, as `reviewFigures` in review.ts counts them. */
export interface ParticipationFigures {
  bySector: { sector: Sector; asked: number; answered: number }[];
  byOrganisation: { organisation: string; asked: number; answered: number }[];
}

function pct(answered: number, asked: number): number {
  return asked ? Math.round((100 * answered) / asked) : 0;
}

/**
 * Response rates by sector and by organisation, least heard first; organisations that have stopped
 * answering (see `quietOrganisations`) are drawn in another colour. Null when nobody was asked.
 * For coordinators and the chair (the review pack), never posted to a channel.
 */
export function participationChart(f: ParticipationFigures, p: Partnership, quiet: readonly string[] = []): Chart | null {
  if (!f.bySector.length && !f.byOrganisation.length) return null;
  const sectorRows = f.bySector.map((s) => ({
    label: SECTOR_LABELS[s.sector],
    rate: pct(s.answered, s.asked),
    text: `${s.answered} of ${s.asked}`,
    colour: SECTOR_COLOURS[s.sector],
  }));
  const orgRows = f.byOrganisation.map((o) => ({
    label: o.organisation,
    rate: pct(o.answered, o.asked),
    text: `${o.answered} of ${o.asked}`,
    status: quiet.includes(o.organisation) ? 'stopped answering' : 'answering',
  }));
  const x = { field: 'rate', type: 'quantitative', scale: { domain: [0, 100] }, title: 'answered (% of those asked)' };
  const bars = (rows: object[], heading: string, color: object) => ({
    title: { text: heading, fontSize: 12 },
    data: { values: rows },
    width: 360,
    height: { step: 20 },
    encoding: { y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 220 } }, x },
    layer: [
      { mark: { type: 'bar', cornerRadiusEnd: 2 }, encoding: { color } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { text: { field: 'text' } } },
    ],
  });
  const views: object[] = [];
  if (sectorRows.length) views.push(bars(sectorRows, 'By sector', { field: 'colour', type: 'nominal', scale: null, legend: null }));
  if (orgRows.length) {
    views.push(bars(orgRows, 'By organisation, least heard first', {
      field: 'status',
      type: 'nominal',
      scale: { domain: ['answering', 'stopped answering'], range: [ANSWERING_COLOUR, QUIET_COLOUR] },
      legend: { title: null, orient: 'bottom' },
    }));
  }
  const title = `Who is heard: ${p.name}`;
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: ['Consultation answers of any kind over the number', 'asked, in the review period.'] },
    vconcat: views,
    config: baseConfig,
    background: 'white',
  };
  const alt = `Consultation response rates for ${p.name}. ${[...sectorRows, ...orgRows].map((r) => `${r.label}: ${r.text} (${r.rate}%)`).join('; ')}.`;
  return { name: 'participation', title, alt, spec, series: [...sectorRows, ...orgRows].map((r) => r.label) };
}

// ---- participation equity -----------------------------------------------------------------------

/** An organisation is "quiet" after this many consultations in a row without an answer. */
export const QUIET_AFTER = 3;

export interface QuietOrganisation {
  organisation: string;
  /** The consultations it did not answer, newest first (exactly QUIET_AFTER of them). */
  missed: { id: string; title: string; deadline: string }[];
}

/**
 * Organisations that have stopped answering: none of their members answered (in any way) the last
 * QUIET_AFTER consultations that asked any of them and whose deadline has passed. Only current
 * members' organisations are considered; an organisation asked fewer times than that is not judged.
 */
export function quietOrganisations(records: readonly ConsultationRecord[], members: readonly Member[], p: Partnership, now: Date, n: number = QUIET_AFTER): QuietOrganisation[] {
  // Consultations past retention keep no answer by organisation: they say nothing either way.
  const ended = records
    .filter((r) => !r.kept && Date.parse(endOfLocalDay(r.consultation.deadline, p.timezone)) <= now.getTime())
    .sort((x, y) => y.consultation.deadline.localeCompare(x.consultation.deadline) || y.consultation.openedAt.localeCompare(x.consultation.openedAt));
  const orgs = [...new Set(members.map((m) => m.organisation))].sort((x, y) => x.localeCompare(y));
  const out: QuietOrganisation[] = [];
  for (const org of orgs) {
    const ids = new Set(members.filter((m) => m.organisation === org).map((m) => m.id));
    const lastAsked = ended.filter((r) => r.asked.some((id) => ids.has(id))).slice(0, n);
    if (lastAsked.length < n) continue;
    const silent = lastAsked.every((r) => !r.responses.some((x) => ids.has(x.memberId) && r.asked.includes(x.memberId)));
    if (silent) {
      out.push({ organisation: org, missed: lastAsked.map((r) => ({ id: r.consultation.id, title: r.consultation.title, deadline: r.consultation.deadline })) });
    }
  }
  return out;
}

/** The note sent to coordinators by direct message; never for a channel. */
export function quietMessage(p: Partnership, quiet: readonly QuietOrganisation[]): Message {
  const blocks: Block[] = [
    para(
      t(`In `),
      u(p.name),
      t(`, ${quiet.length === 1 ? 'one organisation has' : `${quiet.length} organisations have`} not answered the last ${QUIET_AFTER} consultations they were asked:`),
    ),
  ];
  for (const q of quiet) {
    const titles = q.missed.flatMap((m, i) => [...(i ? [t(', ')] : []), u(m.title), t(` (due ${formatDate(m.deadline)})`)]);
    blocks.push(para(t('• '), u(q.organisation), t(': '), ...titles));
  }
  blocks.push(
    para(t('A quiet partner is often overloaded, has lost its contact, or no longer sees the point. A direct conversation usually helps more than another reminder.')),
    context(t('Only coordinators receive this. It is not posted in any channel.')),
  );
  return message('Who is not being heard', ...blocks);
}
