// The README is the first thing a newcomer reads: it must name every setting, command and rule there is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC } from '../src/bot/config.ts';
import { HELP_TOPICS, USAGE } from '../src/domain/help.ts';
import { PERMISSIONS } from '../src/domain/permissions.ts';

const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
const cell = (s: string) => s.replace(/\|/g, '\\|');

describe('README', () => {
  it('has the two quick-start commands on their own lines', () => {
    expect(readme).toMatch(/^npm ci && npm start$/m);
    expect(readme).toMatch(/^npm ci && npm test$/m);
  });

  it.each(CONFIG_DOC)('documents %s with its default', (name, fallback) => {
    expect(readme).toContain(`| \`${name}\` | ${fallback} |`);
  });

  it.each([...HELP_TOPICS])('shows every form of the %s command', (topic) => {
    for (const line of USAGE[topic].split('\n')) expect(readme).toContain(`\`${cell(line)}\``);
  });

  it.each(Object.entries(PERMISSIONS))('says who may run %s, as the code enforces it', (verb, rule) => {
    const who = rule === 'anyone' ? 'anyone' : rule === 'member' ? 'any member' : rule.join(' or ');
    expect(readme).toContain(`| \`${verb}\` | ${who} |`);
  });
});
