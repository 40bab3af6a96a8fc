// /partner link: a second channel joins a partnership with a one-time code, and gets its posts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { LocalClient, texts } from './helpers/local-client.ts';

let app: App;
let api: LocalClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'partnerbot-link-'));
  app = await startApp(loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
  api = new LocalClient(app.url);
  await api.command('carol', '/partner setup "Northside CPP"', 'north');
  await api.command('alice', '/partner join third "Food Bank"', 'north');
});
afterAll(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function codeIn(text: string): string {
  const m = /\/partner link ([a-z2-9]{4}-[a-z2-9]{4})/.exec(text);
  if (!m) throw new Error(`no code in:\n${text}`);
  return m[1]!;
}

describe('/partner link', () => {
  it('joins a second channel with a one-time code, which then receives announcements', async () => {
    const asked = await api.command('carol', '/partner link', 'north');
    expect(asked[0]!.user).toBe('carol');
    const code = codeIn(texts(asked));

    const linked = await api.command('carol', `/partner link ${code}`, 'south');
    expect(linked[0]!.channel).toBe('south');
    expect(texts(linked)).toMatch(/This channel now belongs to Northside CPP/);

    await api.command('carol', '/partner consult "Budget" by 2027-09-30', 'north');
    expect(texts(await api.channel('south'))).toMatch(/New consultation[\s\S]*Budget/);

    const again = await api.command('carol', `/partner link ${code}`, 'east');
    expect(texts(again)).toMatch(/unknown, used or expired/);
    expect(texts(await api.command('carol', '/partner members', 'east'))).toMatch(/not linked to a partnership/);
  });

  it('lets only a coordinator join a channel, and refuses a channel of another partnership', async () => {
    const code = codeIn(texts(await api.command('alice', '/partner link', 'north')));
    expect(texts(await api.command('alice', `/partner link ${code}`, 'west'))).toMatch(/Only a coordinator can join a channel/);

    await api.command('dave', '/partner setup "Other CPP"', 'other');
    const carolCode = codeIn(texts(await api.command('carol', '/partner link', 'north')));
    expect(texts(await api.command('dave', `/partner link ${carolCode}`, 'other'))).toMatch(/already belongs to Other CPP/);
  });

  it('expires codes after an hour', async () => {
    const code = codeIn(texts(await api.command('carol', '/partner link', 'north')));
    await api.tick(new Date(Date.now() + 2 * 3600_000).toISOString());
    expect(texts(await api.command('carol', `/partner link ${code}`, 'later'))).toMatch(/expired/);
  });
});
