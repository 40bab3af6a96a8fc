// The web playground as a newcomer uses it, in headless Chromium against the real app (local adapter,
// SQLite, handlers, media links): set up a partnership, several people join, two polls run with the
// answers given by clicking the rendered buttons as different people, and the results show a chart
// whose series are the poll's building blocks, with the withheld poll marked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';

const CHROMIUM = '/usr/bin/chromium';

// Browser globals used inside page.evaluate (the project's tsconfig has no DOM library).
interface Img {
  src: string;
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}
interface El {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<{ textContent: string | null }> & { length: number };
}
declare const document: { body: { dataset: Record<string, string | undefined> } };
declare class DOMParser {
  parseFromString(text: string, type: string): { documentElement: El };
}
let app: App;
let dir: string;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'partnerbot-playground-'));
  const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent' });
  app = await startApp(config, { log: pino({ level: 'silent' }) });
  // A fresh profile each run; nothing reaches out to the network.
  browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function actAs(person: string): Promise<void> {
  const chip = page.locator(`#people button[data-person="${person}"]`);
  if ((await chip.count()) === 0) {
    await page.fill('#new-person', person);
    await page.press('#new-person', 'Enter');
  } else {
    await chip.click();
  }
  await expect.poll(() => chip.getAttribute('aria-checked')).toBe('true');
  await expect.poll(() => page.textContent('#composer-label')).toContain(person);
}

/** Types a command and waits for the bot's answer to reach the page. */
async function type(text: string): Promise<void> {
  const answered = page.waitForResponse((r) => r.url().endsWith('/local/commands') && r.request().method() === 'POST');
  await page.fill('#command', text);
  await page.press('#command', 'Enter');
  expect((await answered).status()).toBe(200);
}

/** Presses a button of the newest message that has one, and waits for the bot's answer. */
async function click(button: Locator): Promise<void> {
  const answered = page.waitForResponse((r) => r.url().endsWith('/local/press'));
  await button.click();
  expect((await answered).status()).toBe(200);
}

// vitest has no locator matchers: poll what the page shows until it matches.
const text = (l: Locator) => l.textContent().then((x) => x ?? '');
const seeText = (l: Locator, want: string) => expect.poll(() => text(l), { timeout: 10_000 }).toContain(want);
const seeCount = (l: Locator, n: number) => expect.poll(() => l.count(), { timeout: 10_000 }).toBe(n);

const newestPoll = () => page.locator('#channel-log .msg', { has: page.locator('.choice') }).last();

async function runPoll(voters: string[]): Promise<void> {
  await actAs('carol');
  await type('/partner pulse start short days=3');
  await seeCount(newestPoll().locator('.choice'), 2);
  for (const [i, voter] of voters.entries()) {
    await actAs(voter);
    await click(newestPoll().locator(`button[data-block="trust"][data-label="${2 + (i % 4)}"]`));
    await seeText(page.locator('#channel-log .msg.private').last(), 'Recorded anonymously');
    await click(newestPoll().locator(`button[data-block="openness"][data-label="${5 - (i % 3)}"]`));
  }
  await actAs('carol');
  await type('/partner pulse close');
}

interface ChartReadback {
  series: number;
  withheld: number;
  svgWidth: number;
  svgHeight: number;
  titles: string[];
}

/** Reads back the chart behind an <img>: its SVG (same link, .svg) parsed by the browser. */
async function readChart(img: Locator): Promise<ChartReadback> {
  return img.evaluate(async (el) => {
    const src = (el as unknown as Img).src.replace(/\.png$/, '.svg');
    const svg = new DOMParser().parseFromString(await (await fetch(src)).text(), 'image/svg+xml').documentElement;
    return {
      series: svg.querySelectorAll('g.median_marks').length,
      withheld: svg.querySelectorAll('g.withheld_marks path').length,
      svgWidth: Number(svg.getAttribute('width')),
      svgHeight: Number(svg.getAttribute('height')),
      titles: [...svg.querySelectorAll('g.role-title-text text, text')].map((t) => t.textContent ?? ''),
    };
  });
}

describe('the web playground', () => {
  it('takes a newcomer from setup to a results chart by typing and clicking as several people', async () => {
    const res = await page.goto(`${app.url}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    await expect.poll(() => page.evaluate(() => document.body.dataset.ready)).toBe('true');
    await seeText(page.locator('h1'), 'partnerbot');

    await actAs('carol');
    await type('/partner setup "Riverside Partnership" purpose="Joined-up services"');
    await seeText(page.locator('#channel-log .msg.private').last(), 'only carol can see this');
    await seeText(page.locator('#channel-log'), 'Riverside Partnership is set up');
    const people: [string, string, string][] = [
      ['alice', 'third', 'Foodbank'],
      ['bob', 'private', 'Acme Builders'],
      ['dan', 'community', 'Residents Forum'],
      ['erin', 'third', 'Youth Trust'],
      ['frank', 'public', 'NHS Riverside'],
    ];
    for (const [person, sector, org] of people) {
      await actAs(person);
      await type(`/partner join ${sector} "${org}"`);
      await seeText(page.locator('#channel-log'), `${person} from ${org}`);
    }
    // A welcome arrives in the newest member's direct messages.
    await seeText(page.locator('#dm-log'), 'Welcome to Riverside Partnership');

    // First poll: only three answer, so its results are withheld.
    await runPoll(['alice', 'bob', 'dan']);
    await seeText(page.locator('#channel-log .msg').last(), 'results need at least 5');
    // The clock moves forward from the page (POST /local/tick).
    const ticked = page.waitForResponse((r) => r.url().endsWith('/local/tick'));
    await page.click('button[data-step="604800000"]');
    expect((await ticked).status()).toBe(200);
    await expect.poll(() => text(page.locator('#clock-now'))).not.toContain('real time');

    // Second poll: five people answer by clicking; carol closes it and sees the chart.
    await runPoll(['alice', 'bob', 'dan', 'erin', 'frank']);
    const results = page.locator('#channel-log .msg').last();
    await seeText(results, 'Pulse results');
    const img = results.locator('img.chart');
    await seeCount(img, 1);
    await expect.poll(() => img.evaluate((el) => (el as unknown as Img).complete && (el as unknown as Img).naturalWidth)).toBeGreaterThan(0);
    expect(await img.getAttribute('alt')).toMatch(/^Pulse trend for Riverside Partnership.*Trust withheld → /);

    // The chart: one series per block the short poll asks (trust, openness), the withheld poll marked.
    const chart = await readChart(img);
    expect(chart.series).toBe(2);
    expect(chart.withheld).toBe(2);
    expect(chart.titles).toEqual(expect.arrayContaining(['Trust', 'Openness']));
    const size = await img.evaluate((el) => [(el as unknown as Img).naturalWidth, (el as unknown as Img).naturalHeight]);
    expect(size).toEqual([chart.svgWidth * 2, chart.svgHeight * 2]);

    // Anyone can ask for the results again; the reply (with the chart) is shown only to them.
    await actAs('erin');
    await type('/partner results');
    const mine = page.locator('#channel-log .msg.private').last();
    await seeText(mine, 'only erin can see this');
    await seeCount(mine.locator('img.chart'), 1);
    await actAs('bob');
    await expect.poll(() => text(page.locator('#channel-log'))).not.toContain('only erin can see this');
  }, 120_000);

  it('refuses a pressed button that is not a known action, with a message the page shows', async () => {
    const res = await page.evaluate(async () => {
      const r = await fetch('/local/press', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bob', channel: 'general', button: { type: 'nope' } }) });
      return { status: r.status, body: await r.json() };
    });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toMatch(/action/);
  });
});
