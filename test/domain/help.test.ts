import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/command-types.ts';
import { parseCommand } from '../../src/domain/commands.ts';
import { HELP_TOPICS, USAGE, helpMessage } from '../../src/domain/help.ts';
import { bodyText as allText } from '../support/messages.ts';

const CTX = { now: new Date('2026-07-14T10:00:00Z'), timezone: 'Europe/London' };

// Every verb of the Command union, mapped to the help topic that documents it.
const VERB_TOPICS: Record<Command['verb'], string> = {
  help: 'help',
  home: 'home',
  'export.me': 'export',
  'export.partnership': 'export',
  'forget.me': 'forget',
  'delete.partnership': 'delete',
  audit: 'audit',
  link: 'link',
  'link.use': 'link',
  setup: 'setup',
  settings: 'settings',
  join: 'join',
  members: 'members',
  role: 'role',
  consult: 'consult',
  'consult.list': 'consult',
  respond: 'respond',
  'pulse.start': 'pulse',
  'pulse.close': 'pulse',
  'pulse.answer': 'pulse',
  results: 'results',
  review: 'review',
  'review.set': 'review',
  'review.pack': 'review',
  'review.done': 'review',
  feedback: 'feedback',
  digest: 'digest',
  status: 'status',
};

describe('help', () => {
  it('has a usage line for every verb', () => {
    for (const topic of new Set(Object.values(VERB_TOPICS))) {
      expect(HELP_TOPICS).toContain(topic);
      expect(USAGE[topic as keyof typeof USAGE]).toMatch(new RegExp(`^/partner ${topic}`));
    }
  });

  it('lists every command in the overview, privately', () => {
    const m = helpMessage();
    expect(m.private).toBe(true);
    const text = allText(m);
    for (const topic of HELP_TOPICS) expect(text).toContain(`/partner ${topic}`);
  });

  it.each([...HELP_TOPICS])('has help for %s with its usage and an example that parses', (topic) => {
    const m = helpMessage(topic);
    expect(m.private).toBe(true);
    expect(m.heading).toBe(`/partner ${topic}`);
    const text = allText(m);
    expect(text).toContain(USAGE[topic]);
    const example = /Examples?: ([^\n]+)/.exec(text)?.[1];
    expect(example).toBeDefined();
    // The example really is a command of that verb.
    const r = parseCommand(example!, CTX);
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(VERB_TOPICS[r.command.verb]).toBe(topic);
  });

  it('accepts a topic written as a command', () => {
    expect(helpMessage('/partner consult').heading).toBe('/partner consult');
    expect(helpMessage('PULSE').heading).toBe('/partner pulse');
  });

  it('falls back to the overview, saying so, for an unknown topic', () => {
    const m = helpMessage('teleport');
    expect(m.heading).toBe('partnerbot commands');
    expect(allText(m)).toContain('There is no help on "teleport"');
  });
});
