// The charts and the pack document through the real app (local adapter over HTTP): what
// `/partner results` and `/partner review pack` attach, and that the links serve what they say.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import type { Block } from '../../src/domain/message.ts';
import { buttons, LocalClient, type Posted } from '../e2e/helpers/local-client.ts';
import { images, pageTexts } from './pdf-text.ts';

const CH = 'riverside';
let app: App;
let api: LocalClient;
let dir: string;

function blocksOf(posted: Posted[], kind: Block['kind']): Block[] {
  return posted.flatMap((p) => p.message?.blocks.filter((b) => b.kind === kind) ?? []);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'partnerbot-insight-'));
  const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent' });
  app = await startApp(config, { log: pino({ level: 'silent' }) });
  api = new LocalClient(app.url);
  await api.tick('2027-01-04T09:00:00Z');
  await api.command('carol', '/partner setup "Riverside" purpose="Joined-up services"', CH);
  await api.command('carol', '/partner settings pulse=off', CH);
  for (const [user, sector, org] of [['alice', 'third', 'Foodbank'], ['bob', 'private', 'Acme'], ['dan', 'community', 'Residents'], ['erin', 'third', 'Youth Trust'], ['frank', 'public', 'NHS']]) {
    await api.command(user!, `/partner join ${sector} "${org}"`, CH);
  }
  await api.command('carol', '/partner consult "Bus routes" by 2027-01-29', CH);
  const started = await api.command('carol', '/partner pulse start short days=3', CH);
  for (const [i, voter] of ['alice', 'bob', 'dan', 'erin', 'frank'].entries()) {
    const button = buttons(started).find((b) => b.action.type === 'pulse.answer' && b.action.block === 'trust' && b.action.score === 1 + i);
    await api.press(voter, button!.action, CH);
  }
});

afterAll(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('charts and documents in replies', () => {
  it('the closing reply carries the trend chart, served as PNG beside its spec, and named in the text rendering', async () => {
    const closed = await api.command('carol', '/partner pulse close', CH);
    const [image] = blocksOf(closed, 'image') as Extract<Block, { kind: 'image' }>[];
    expect(image!.url).toMatch(new RegExp(`^${app.url}/media/[A-Za-z0-9_-]{43}\\.png$`));
    expect(image!.alt).toMatch(/Trust 3/);
    const res = await fetch(image!.url);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
    expect(png.width).toBeGreaterThan(300);
    const spec = (await (await fetch(image!.url.replace(/png$/, 'json'))).json()) as { series: string[] };
    expect(spec.series).toEqual(['Trust', 'Openness']);
    expect(closed.find((p) => p.text.includes('[image]'))?.text).toMatch(/\[image\] Pulse trend: Riverside: http/);
  });

  it('/partner results shows the chart privately', async () => {
    const results = await api.command('dan', '/partner results', CH);
    expect(results[0]!.user).toBe('dan');
    expect(blocksOf(results, 'image')).toHaveLength(1);
  });

  it('/partner review pack links the pack as a PDF with both charts, and shows the charts in its sections', async () => {
    await api.tick('2027-02-10T10:00:00Z');
    const pack = await api.command('carol', '/partner review pack', CH);
    expect(pack[0]!.user).toBe('carol');
    const [file] = blocksOf(pack, 'file') as Extract<Block, { kind: 'file' }>[];
    expect(file).toMatchObject({ name: 'review-pack.pdf', mime: 'application/pdf', title: 'Review pack: Riverside' });
    const shown = blocksOf(pack, 'image') as Extract<Block, { kind: 'image' }>[];
    expect(shown.map((b) => b.title)).toEqual(['Pulse trend: Riverside', 'Who is heard: Riverside']);
    const res = await fetch(file!.url!);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="review-pack.pdf"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(await images(bytes)).toHaveLength(2);
    const text = (await pageTexts(bytes)).flat();
    expect(text).toEqual(expect.arrayContaining(['Review pack: Riverside', 'Pulse trends', 'Overdue', 'Continue, change, or wind up?']));
    expect(text.join(' ')).toContain('Bus routes');
  });
});
