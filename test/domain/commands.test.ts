import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command, ParseContext, ParseResult } from '../../src/domain/command-types.ts';
import { parseCommand, parseDatePhrase } from '../../src/domain/commands.ts';
import { USAGE } from '../../src/domain/help.ts';
import { addDays, localDate } from '../../src/domain/time.ts';

// Tuesday 14 July 2026, 11:00 in London (BST, UTC+1).
const CTX: ParseContext = { now: new Date('2026-07-14T10:00:00Z'), timezone: 'Europe/London' };
// 23:30 UTC on the 14th is already 00:30 on Wednesday the 15th in London.
const NIGHT: ParseContext = { now: new Date('2026-07-14T23:30:00Z'), timezone: 'Europe/London' };

function command(text: string, ctx: ParseContext = CTX): Command {
  const r = parseCommand(text, ctx);
  if (!r.ok) throw new Error(`expected a command from ${JSON.stringify(text)}, got: ${r.error}`);
  return r.command;
}

const good: [string, Command][] = [
  // help and prefixes
  ['', { verb: 'help' }],
  ['   ', { verb: 'help' }],
  ['/partner', { verb: 'help' }],
  ['/partner help', { verb: 'help' }],
  ['partner help consult', { verb: 'help', topic: 'consult' }],
  ['HELP Pulse', { verb: 'help', topic: 'pulse' }],
  ['help consultations', { verb: 'help', topic: 'consult' }],
  ['<at>partnerbot</at> help', { verb: 'help' }],
  ['<at>Partner Bot</at>&nbsp;/partner status', { verb: 'status' }],
  ['<@UBOT123> digest', { verb: 'digest' }],
  ['\u200Bstatus', { verb: 'status' }],
  // setup
  ['setup Leith Food Partnership', { verb: 'setup', name: 'Leith Food Partnership' }],
  [
    'setup “Leith Food Partnership” tz=Europe/London region=gb-sct purpose="Fewer people going hungry"',
    { verb: 'setup', name: 'Leith Food Partnership', timezone: 'Europe/London', region: 'GB-SCT', purpose: 'Fewer people going hungry' },
  ],
  ['setup Health &amp; Care Forum timezone=europe/dublin', { verb: 'setup', name: 'Health & Care Forum', timezone: 'Europe/Dublin' }],
  // settings
  ['settings k=5', { verb: 'settings', changes: { anonymityK: 5 } }],
  ['settings k=3 notice=12w overload=4', { verb: 'settings', changes: { anonymityK: 3, minNoticeDays: 84, overloadLimit: 4 } }],
  ['settings notice=30d', { verb: 'settings', changes: { minNoticeDays: 30 } }],
  ['settings notice=60', { verb: 'settings', changes: { minNoticeDays: 60 } }],
  ['settings pulse=off pulse-days=7', { verb: 'settings', changes: { pulseSchedule: 'off', pulseOpenDays: 7 } }],
  ['settings digest="mon 09:00"', { verb: 'settings', changes: { digestWeekday: 1, digestTime: '09:00' } }],
  ['settings digest=friday 16:30', { verb: 'settings', changes: { digestWeekday: 5, digestTime: '16:30' } }],
  ['settings digest=wed', { verb: 'settings', changes: { digestWeekday: 3 } }],
  ['settings workstart=9:30 tz=Europe/London region=GB', { verb: 'settings', changes: { workStart: '09:30', timezone: 'Europe/London', region: 'GB' } }],
  ['settings purpose=‘Food for all’', { verb: 'settings', changes: { purpose: 'Food for all' } }],
  ['settings retention=12', { verb: 'settings', changes: { retentionMonths: 12 } }],
  ['settings retention=1 k=4', { verb: 'settings', changes: { retentionMonths: 1, anonymityK: 4 } }],
  ['settings retention=120m', { verb: 'settings', changes: { retentionMonths: 120 } }],
  ['settings retention-months=2y', { verb: 'settings', changes: { retentionMonths: 24 } }],
  // join
  ['join third Leith Food Bank', { verb: 'join', sector: 'third', organisation: 'Leith Food Bank' }],
  ['join charity "St John’s Trust" name="Ann Smith"', { verb: 'join', sector: 'third', organisation: 'St John’s Trust', name: 'Ann Smith' }],
  ["join voluntary St John's Trust", { verb: 'join', sector: 'third', organisation: "St John's Trust" }],
  ['join council City of Edinburgh Council', { verb: 'join', sector: 'public', organisation: 'City of Edinburgh Council' }],
  ['join business Acme Ltd', { verb: 'join', sector: 'private', organisation: 'Acme Ltd' }],
  ['join Community Leith Residents', { verb: 'join', sector: 'community', organisation: 'Leith Residents' }],
  // members, role
  ['members', { verb: 'members' }],
  ['role <@U123ABC> coordinator', { verb: 'role', user: { id: 'U123ABC' }, roles: ['coordinator'] }],
  ['role <@U123ABC|ann> coordinator,chair', { verb: 'role', user: { id: 'U123ABC' }, roles: ['coordinator', 'chair'] }],
  ['role @ann chair, member', { verb: 'role', user: { name: 'ann' }, roles: ['chair', 'member'] }],
  ['role Ann Smith chair and coordinator', { verb: 'role', user: { name: 'Ann Smith' }, roles: ['chair', 'coordinator'] }],
  ['role <at>Ann Smith</at> member', { verb: 'role', user: { name: 'Ann Smith' }, roles: ['member'] }],
  // consultations
  ['consult Budget plan by 2026-12-15', { verb: 'consult', title: 'Budget plan', deadline: '2026-12-15', audience: { all: true }, confirm: false }],
  [
    '/partner consult “Stand by me: the plan” by 15 Dec to public, third <@U1|ann> @bob link <https://example.org/plan|the plan> anyway',
    {
      verb: 'consult',
      title: 'Stand by me: the plan',
      deadline: '2026-12-15',
      audience: { sectors: ['public', 'third'], users: [{ id: 'U1' }, { name: 'bob' }] },
      link: 'https://example.org/plan',
      confirm: true,
    },
  ],
  ['consult Response to the food plan by 15 December 2026 to all', { verb: 'consult', title: 'Response to the food plan', deadline: '2026-12-15', audience: { all: true }, confirm: false }],
  ['consult Budget by in 3 weeks https://x.org/a', { verb: 'consult', title: 'Budget', deadline: '2026-08-04', audience: { all: true }, link: 'https://x.org/a', confirm: false }],
  ['consult Budget by next friday anyway to charity,business', { verb: 'consult', title: 'Budget', deadline: '2026-07-24', audience: { sectors: ['third', 'private'], users: [] }, confirm: true }],
  ['consult Budget by tomorrow', { verb: 'consult', title: 'Budget', deadline: '2026-07-15', audience: { all: true }, confirm: false }],
  // A day already past this year means next year.
  ['consult Budget by 10 Jul', { verb: 'consult', title: 'Budget', deadline: '2027-07-10', audience: { all: true }, confirm: false }],
  ['consult list', { verb: 'consult.list' }],
  ['consult list of priorities by 1 Sep', { verb: 'consult', title: 'list of priorities', deadline: '2026-09-01', audience: { all: true }, confirm: false }],
  ['consultations', { verb: 'consult.list' }],
  // respond
  ['respond c-7k2m9q4x done', { verb: 'respond', consultationId: 'c-7k2m9q4x', kind: 'responded' }],
  ['respond C-7K2M9Q4X responded', { verb: 'respond', consultationId: 'c-7k2m9q4x', kind: 'responded' }],
  ['respond c-7k2m9q4x more-time', { verb: 'respond', consultationId: 'c-7k2m9q4x', kind: 'more_time' }],
  ['respond c-7k2m9q4x need-more-time 2026-09-01', { verb: 'respond', consultationId: 'c-7k2m9q4x', kind: 'more_time', proposedDate: '2026-09-01' }],
  ['respond c-7k2m9q4x need more time in 3 weeks', { verb: 'respond', consultationId: 'c-7k2m9q4x', kind: 'more_time', proposedDate: '2026-08-04' }],
  ['respond c-7k2m9q4x not-relevant', { verb: 'respond', consultationId: 'c-7k2m9q4x', kind: 'not_relevant' }],
  ['respond c-7k2m9q4x not relevant', { verb: 'respond', consultationId: 'c-7k2m9q4x', kind: 'not_relevant' }],
  // pulse
  ['pulse', { verb: 'pulse.start', form: 'full' }],
  ['pulse start', { verb: 'pulse.start', form: 'full' }],
  ['pulse start short days=7', { verb: 'pulse.start', form: 'short', days: 7 }],
  ['pulse full days=30', { verb: 'pulse.start', form: 'full', days: 30 }],
  ['pulse close', { verb: 'pulse.close' }],
  ['pulse close p-3h8d2k6w', { verb: 'pulse.close', pollId: 'p-3h8d2k6w' }],
  [
    'pulse answer p-3h8d2k6w trust=4 respect=5 openness=3 tolerance=2 continuity=4 framework=3 comment="More notice please"',
    {
      verb: 'pulse.answer',
      pollId: 'p-3h8d2k6w',
      answers: { trust: 4, respect: 5, openness: 3, tolerance: 2, continuity: 4, framework: 3 },
      comment: 'More notice please',
    },
  ],
  ['pulse answer mutual-respect=2 trust 5', { verb: 'pulse.answer', answers: { respect: 2, trust: 5 } }],
  ['pulse answer comment=“Chairing was better”', { verb: 'pulse.answer', answers: {}, comment: 'Chairing was better' }],
  // results
  ['results', { verb: 'results', bySector: false }],
  ['results by sector', { verb: 'results', bySector: true }],
  ['results p-3h8d2k6w by sector', { verb: 'results', pollId: 'p-3h8d2k6w', bySector: true }],
  // review
  ['review', { verb: 'review' }],
  ['review set 2027-03-31', { verb: 'review.set', date: '2027-03-31' }],
  ['review set 15/12/2026', { verb: 'review.set', date: '2026-12-15' }],
  ['review pack', { verb: 'review.pack' }],
  ['review done continue', { verb: 'review.done', decision: 'continue' }],
  ['review done change next 2027-01-31 note="Refresh the remit"', { verb: 'review.done', decision: 'change', nextDate: '2027-01-31', note: 'Refresh the remit' }],
  ['review done wind-up', { verb: 'review.done', decision: 'wind_up' }],
  ['review done wind up note=‘Job done’', { verb: 'review.done', decision: 'wind_up', note: 'Job done' }],
  // feedback keeps the writer's text, line breaks included
  [
    'feedback c-7k2m9q4x You said opening hours; we did:\n- longer hours\n- a Saturday session',
    { verb: 'feedback', consultationId: 'c-7k2m9q4x', text: 'You said opening hours; we did:\n- longer hours\n- a Saturday session' },
  ],
  ['feedback c-7k2m9q4x “We added two larders”', { verb: 'feedback', consultationId: 'c-7k2m9q4x', text: 'We added two larders' }],
  ['feedback c-7k2m9q4x Thanks <@U1|ann> &amp; all', { verb: 'feedback', consultationId: 'c-7k2m9q4x', text: 'Thanks @ann & all' }],
  ['digest', { verb: 'digest' }],
  ['status', { verb: 'status' }],
];

describe('parseCommand: good input', () => {
  it.each(good)('%j', (text, expected) => {
    expect(parseCommand(text, CTX)).toEqual({ ok: true, command: expected });
  });
});

describe('parseCommand: dates in the partnership timezone', () => {
  it('uses London\'s date, not UTC\'s, just after midnight in summer', () => {
    // UTC still says the 14th; London is on the 15th, so tomorrow is the 16th.
    expect(command('review set tomorrow', NIGHT)).toEqual({ verb: 'review.set', date: '2026-07-16' });
    expect(command('review set in 3 weeks', NIGHT)).toEqual({ verb: 'review.set', date: '2026-08-05' });
    const r = parseCommand('consult Budget by 15 Jul 2026', NIGHT);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('must be after today');
  });

  it('uses New York\'s date when the partnership is there', () => {
    const ny: ParseContext = { now: new Date('2026-07-15T02:00:00Z'), timezone: 'America/New_York' };
    expect(command('review set tomorrow', ny)).toEqual({ verb: 'review.set', date: '2026-07-15' });
  });

  it('reads any ISO date after today as itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), (n) => {
        const date = addDays('2026-07-14', n);
        expect(parseDatePhrase(date, CTX)).toEqual({ ok: true, date });
      }),
    );
  });

  it('resolves "tomorrow" to the local tomorrow for any instant and timezone', () => {
    const zones = ['Europe/London', 'America/New_York', 'Pacific/Auckland', 'Asia/Kolkata', 'Pacific/Kiritimati', 'America/Adak'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        (now, timezone) => {
          const today = localDate(now, timezone);
          expect(parseDatePhrase('tomorrow', { now, timezone })).toEqual({ ok: true, date: addDays(today, 1) });
        },
      ),
    );
  });
});

const bad: [string, string][] = [
  ['hepl', 'Did you mean "help"'],
  ['consutl Budget by 15 Dec', 'Did you mean "consult"'],
  ['frobnicate', 'I don\'t know the command "frobnicate"'],
  ['help nonsense', 'no help on "nonsense"'],
  ['setup', 'Give the partnership a name'],
  ['setup Leith tz=Mars/Olympus', '"Mars/Olympus" is not a timezone'],
  ['setup Leith region=XX-YY', '"XX-YY" is not a holiday region'],
  ['setup Leith colour=blue', '"colour=blue" is not a setup option'],
  ['settings', 'Say what to change'],
  ['settings k=2', "can't be below 3"],
  ['settings k=0', "can't be below 3"],
  ['settings k=51', 'at most 50'],
  ['settings k=five', 'whole number'],
  ['settings retention=0', 'retention can be from 1 to 120 months (you gave 0 months)'],
  ['settings retention=121', 'retention can be from 1 to 120 months (you gave 121 months)'],
  ['settings retention=11y', 'you gave 132 months'],
  ['settings retention=forever', 'a whole number from 1 to 120 months (or years, like 2y), not "forever"'],
  ['settings retention=1.5', 'not "1.5"'],
  ['settings notice=soon', '"soon"'],
  ['settings overload=0', 'overload'],
  ['settings pulse=weekly', '"monthly" or "off"'],
  ['settings pulse-days=31', '1 to 30 days'],
  ['settings digest=off', "Digests can't be turned off"],
  ['settings digest="someday 9"', '"someday"'],
  ['settings workstart=25:00', 'workstart'],
  ['settings colour=blue', 'There is no setting "colour". Settings: k, notice'],
  ['settings k=5 k=6', 'given twice'],
  ['settings verbose', 'key=value'],
  ['join', 'Say your sector'],
  ['join third', 'Say which organisation'],
  ['join aliens Area 51', '"aliens" is not a sector'],
  ['join third Food Bank role=boss', '"role=boss" is not a join option'],
  ['members all', 'takes nothing after it'],
  ['role', 'Say who'],
  ['role @ann', 'Say which role'],
  ['role @ann boss', '"boss" is not a role'],
  ['role <@U1> <@U2> chair', 'Name one person'],
  ['consult', 'Say what the consultation is about'],
  ['consult Budget plan', 'by <date>'],
  ['consult by 15 Dec', 'title'],
  ['consult Budget by', 'Say when responses are due after "by"'],
  ['consult Budget by 15 Dec blah', 'couldn\'t read "15 Dec blah" as a date'],
  ['consult Budget by someday', 'couldn\'t read "someday" as a date'],
  ['consult Budget by 2026-02-30', 'couldn\'t read "2026-02-30"'],
  ['consult Budget by yesterday', 'must be after today'],
  ['consult Budget by 14 Jul 2026', 'must be after today'],
  ['consult Budget by 5pm', 'a time, not a date'],
  ['consult Budget by 2040-01-01', 'within ten years'],
  ['consult Budget by 15 Dec link ftp://x.org/a', 'http:// or https://'],
  ['consult Budget by 15 Dec link', 'Put the address after "link"'],
  ['consult Budget by 15 Dec to martians', '"martians" is not a sector'],
  ['consult Budget by 15 Dec to all, third', '"to all" on its own'],
  ['consult Budget by 15 Dec to', 'Say who the consultation is for'],
  ['consult "Budget by 15 Dec', 'never closed'],
  ['consult list please', '"consult list" takes nothing after it'],
  [`consult ${'x'.repeat(201)} by 15 Dec`, 'at most 200 characters'],
  ['respond', 'Say which consultation'],
  ['respond budget done', '"budget" doesn\'t look like a consultation id'],
  ['respond c-7k2m9q4x', 'Say how you answer'],
  ['respond c-7k2m9q4x maybe', 'not "maybe"'],
  ['respond c-7k2m9q4x done 15 Dec', '"done" takes nothing after it'],
  ['respond c-7k2m9q4x more-time yesterday', 'must be after today'],
  ['pulse dance', '"pulse" takes start, answer or close'],
  ['pulse start days=0', '1 to 30 days'],
  ['pulse start weekly', '"weekly" is not a pulse option'],
  ['pulse close p-3h8d2k6w now', 'at most a poll id'],
  ['pulse close 42', '"42" doesn\'t look like a poll id'],
  ['pulse answer', 'Give at least one score'],
  ['pulse answer trust=6', 'from 1 to 5'],
  ['pulse answer trust=4.5', 'from 1 to 5'],
  ['pulse answer honesty=4', 'There is no building block "honesty". Blocks: trust, respect, openness, tolerance, continuity, framework'],
  ['pulse answer trust=4 trust=5', 'scored twice'],
  ['results by colour', '"results" takes a poll id'],
  ['review later', '"review" takes set, pack or done'],
  ['review set', 'Say the review date'],
  ['review set last monday', 'must be after today'],
  ['review pack now', '"review pack" takes nothing after it'],
  ['review done maybe', 'continue, change or wind-up (not "maybe")'],
  ['review done continue next', 'Say the next review date'],
  ['review done continue soonish', 'not "soonish"'],
  ['feedback', 'Say which consultation'],
  ['feedback c-7k2m9q4x', 'Write what was done'],
  ['feedback c-7k2m9q4x ""', 'Write what was done'],
  [`feedback c-7k2m9q4x ${'y'.repeat(3001)}`, 'at most 3000 characters'],
  ['status now', '"status" takes nothing after it'],
  [`feedback c-7k2m9q4x ${"'a ".repeat(3000)}`, 'too long for a command'],
];

describe('parseCommand: bad input', () => {
  it.each(bad)('%j', (text, reason) => {
    const r = parseCommand(text, CTX);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.toLowerCase()).toContain(reason.toLowerCase());
    expect(r.usage.length).toBeGreaterThan(0);
  });

  it('shows the usage of the verb that was meant', () => {
    expect(parseCommand('settings k=2', CTX)).toMatchObject({ ok: false, usage: USAGE.settings });
    expect(parseCommand('consult Budget by someday', CTX)).toMatchObject({ ok: false, usage: USAGE.consult });
    expect(parseCommand('consutl Budget', CTX)).toMatchObject({ ok: false, usage: USAGE.consult });
    expect(parseCommand('xyzzy', CTX)).toMatchObject({ ok: false, usage: USAGE.help });
  });

  it('quotes at most about 40 characters of what was typed', () => {
    const r = parseCommand(`join ${'a'.repeat(500)} Org`, CTX);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(`"${'a'.repeat(39)}…"`);
      expect(r.error.length).toBeLessThan(150);
    }
  });
});

// ---- properties -------------------------------------------------------------------------------

function wellFormed(r: ParseResult): boolean {
  return r.ok ? typeof r.command.verb === 'string' : r.error.trim().length > 0 && r.usage.trim().length > 0;
}

const TOKENS = [
  '/partner', 'partner', '<at>partnerbot</at>', 'help', 'setup', 'settings', 'join', 'members', 'role', 'consult', 'consultations',
  'respond', 'pulse', 'results', 'review', 'feedback', 'digest', 'status', 'list', 'by', 'to', 'link', 'anyway', 'all', 'start',
  'close', 'answer', 'short', 'full', 'set', 'pack', 'done', 'continue', 'change', 'wind-up', 'next', 'more-time', 'not-relevant',
  'sector', 'public', 'third', 'private', 'community', 'charity', 'coordinator,chair', 'member', 'k=5', 'k=2', 'notice=12w',
  'digest=mon', '09:00', 'tz=Europe/London', 'region=GB-SCT', 'purpose="a b"', 'days=3', 'trust=4', 'respect=9', 'comment=“x',
  'name=‘Ann’', 'c-7k2m9q4x', 'p-3h8d2k6w', 'x-', '2026-12-15', '15', 'Dec', 'in', '3', 'weeks', 'tomorrow', 'next friday',
  '<@U1>', '<@U1|ann>', '<https://x.org|x>', '<https://x.org>', '<mailto:a@b.c>', '<!here>', '<#C1|general>', '@ann', '"', '“', '”',
  '‘', '’', "'", '=', ',', '<', '>', '&amp;', '&lt;@U1&gt;', 'https://x.org', 'ftp://x', '\n', '\t', '😀', 'é', '\u0000', '\uD800',
];

describe('parseCommand: properties', () => {
  const check = (text: string) => {
    const r = parseCommand(text, CTX);
    expect(wellFormed(r)).toBe(true);
  };

  it('never throws and always returns a command or an error with usage, for any string', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 2000 });
  });

  it('… for any unicode, including lone surrogates', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), check), { numRuns: 400 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), check), { numRuns: 500 });
  });

  it('… for strings built from grammar tokens', () => {
    const sentence = fc
      .tuple(fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }), fc.constantFrom(' ', '  ', '\u00A0', ''))
      .map(([words, sep]) => words.join(sep || ' '));
    fc.assert(fc.property(sentence, check), { numRuns: 3000 });
  });

  it('… for a verb followed by anything, and for any "now" and timezone', () => {
    const verbs = fc.constantFrom('consult', 'respond c-7k2m9q4x more-time', 'review set', 'review done continue next', 'settings', 'pulse answer', 'join', 'role');
    fc.assert(
      fc.property(verbs, fc.string({ maxLength: 60 }), fc.date(), fc.constantFrom('Europe/London', 'Not/AZone', ''), (verb, rest, now, timezone) => {
        expect(wellFormed(parseCommand(`${verb} ${rest}`, { now, timezone }))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps any quoted title as written', () => {
    const title = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 80 })
      .filter((s) => !/["“”„‟<&]/.test(s) && s.trim().length > 0 && [...s.trim()].length <= 200);
    fc.assert(
      fc.property(title, (t) => {
        expect(command(`consult "${t}" by 2026-12-15`)).toEqual({
          verb: 'consult',
          title: t.trim(),
          deadline: '2026-12-15',
          audience: { all: true },
          confirm: false,
        });
      }),
      { numRuns: 300 },
    );
  });
});
