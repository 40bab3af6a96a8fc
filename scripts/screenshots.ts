// `npm run screenshots`: makes the README's pictures from the real app. A coordinator sets up a
// partnership, people from several sectors join, and pulse polls run over successive (simulated)
// weeks; then the playground page is photographed and the bot's own chart images are saved.
// Needs Debian's chromium (apt-get install chromium fonts-dejavu-core).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import pino from 'pino';
import { startApp, type App } from '../src/bot/app.ts';
import { loadConfig } from '../src/bot/config.ts';
import { PULSE_BLOCKS, type Action, type Message, type PulseBlock, type ResponseKind } from '../src/domain/message.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..');
/** `--out DIR` writes elsewhere (the test does); the README's pictures live in docs/. */
const outAt = process.argv.indexOf('--out');
const OUT = outAt > 0 && process.argv[outAt + 1] ? process.argv[outAt + 1]! : join(ROOT, 'docs');
/** A fixed Monday morning (page time, Europe/London), so the dates in the pictures do not change. */
const START = '2026-03-02T09:00';
const MISSING = `${CHROMIUM} is missing: install it with \`apt-get install chromium fonts-dejavu-core\`.`;

// Browser globals used inside page.evaluate (the project's tsconfig has no DOM library).
interface ChartImg {
  complete: boolean;
  naturalWidth: number;
}
declare const document: {
  body: { dataset: Record<string, string | undefined>; classList: { contains(c: string): boolean } };
  activeElement: { blur(): void } | null;
  querySelectorAll(selector: string): Iterable<ChartImg>;
};

const COORDINATOR = 'carol';
const PEOPLE: [string, string, string][] = [
  ['alice', 'third', 'Riverside Foodbank'],
  ['bob', 'private', 'Acme Builders'],
  ['dan', 'community', 'Residents Forum'],
  ['erin', 'third', 'Youth Trust'],
  ['frank', 'public', 'NHS Riverside'],
];

/** Where each building block starts (poll 0) and how much it moves per poll, so the trend tells a story:
 * most blocks improve week by week, continuity dips in the third poll and recovers. */
const STORY: Record<PulseBlock, { from: number; step: number; dip?: number }> = {
  trust: { from: 2.4, step: 0.45 },
  respect: { from: 3.2, step: 0.25 },
  openness: { from: 2.0, step: 0.5 },
  tolerance: { from: 3.5, step: 0.1 },
  continuity: { from: 3.2, step: 0.15, dip: 2 },
  framework: { from: 2.6, step: 0.35 },
};

function score(block: PulseBlock, poll: number, person: number): number {
  const s = STORY[block];
  const base = s.from + s.step * poll - (s.dip === poll ? 1.2 : 0);
  const spread = [-1, 0, 1, 0, 0, -1, 1][(person + poll + block.length) % 7]!;
  return Math.min(5, Math.max(1, Math.round(base + spread * 0.8)));
}

interface Entry {
  seq: number;
  message?: Message;
}

async function api<T>(app: App, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`${method} ${path}: ${json.error ?? res.status}`);
  return json;
}

/** The buttons of a given kind on the newest message in #general that has any, as the page renders them. */
async function newestButtons<T extends Action['type']>(app: App, type: T): Promise<Extract<Action, { type: T }>[]> {
  const { messages } = await api<{ messages: Entry[] }>(app, 'GET', '/local/channels/general/messages');
  const actions = messages.map((e) => (e.message?.blocks ?? []).flatMap((b) => (b.kind === 'choice' || b.kind === 'buttons' ? b.buttons.map((x) => x.action) : [])));
  const newest = actions.filter((a) => a.some((x) => x.type === type)).at(-1);
  if (!newest) throw new Error(`No message with ${type} buttons in #general.`);
  return newest.filter((a): a is Extract<Action, { type: T }> => a.type === type);
}

const press = (app: App, user: string, button: Action) => api(app, 'POST', '/local/press', { user, channel: 'general', button });

/** Answers the open poll as each voter (but `except`) by pressing its buttons through the page's own API. */
async function answerPoll(app: App, poll: number, voters: string[], except?: string): Promise<void> {
  const buttons = await newestButtons(app, 'pulse.answer');
  for (const [i, user] of voters.entries()) {
    if (user === except) continue;
    for (const block of PULSE_BLOCKS) {
      const button = buttons.find((b) => b.block === block && b.score === score(block, poll, i));
      if (button) await press(app, user, button);
    }
  }
}

/** Answers the newest consultation: each person's button, or nothing (left out). */
async function answerConsultation(app: App, answers: Record<string, ResponseKind>): Promise<void> {
  const buttons = await newestButtons(app, 'consult.respond');
  for (const [user, kind] of Object.entries(answers)) await press(app, user, buttons.find((b) => b.kind === kind)!);
}

class Playground {
  constructor(readonly page: Page) {}

  async actAs(person: string): Promise<void> {
    const chip = this.page.locator(`#people button[data-person="${person}"]`);
    if ((await chip.count()) === 0) {
      await this.page.fill('#new-person', person);
      await this.page.press('#new-person', 'Enter');
    } else await chip.click();
    await this.page.locator(`#people button[data-person="${person}"][aria-checked="true"]`).waitFor();
  }

  /** Types a command as the current person and waits for the bot's answer to reach the page. */
  async type(text: string): Promise<void> {
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/local/commands') && r.request().method() === 'POST');
    await this.page.fill('#command', text);
    await this.page.press('#command', 'Enter');
    const res = await answered;
    if (res.status() !== 200) throw new Error(`"${text}" failed: ${await res.text()}`);
    await this.settled();
  }

  async press(selector: string): Promise<void> {
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/local/press'));
    await this.page.locator('#channel-log .msg', { has: this.page.locator('.choice') }).last().locator(selector).click();
    await answered;
    await this.settled();
  }

  /** Moves the simulated clock with the page's own button (POST /local/tick). */
  async nextWeek(): Promise<void> {
    const ticked = this.page.waitForResponse((r) => r.url().endsWith('/local/tick'));
    await this.page.click('button[data-step="604800000"]');
    await ticked;
    await this.settled();
  }

  async settled(): Promise<void> {
    await this.page.waitForFunction(() => !document.body.classList.contains('busy'));
  }
}

async function launch(dir: string): Promise<BrowserContext> {
  // A fresh profile; nothing reaches out to the network. Fixed zone and locale for the page's clock.
  return chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    deviceScaleFactor: 1,
    timezoneId: 'Europe/London',
    locale: 'en-GB',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Waits until every chart on the page has loaded, then returns the src of the newest whose alt starts so. */
async function chartSrc(page: Page, pane: string, alt: string): Promise<string> {
  const img = page.locator(`${pane} img.chart[alt^="${alt}"]`).last();
  await img.waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('img.chart')].every((i) => i.complete && i.naturalWidth > 0));
  await img.scrollIntoViewIfNeeded();
  return (await img.getAttribute('src'))!;
}

async function tell(app: App, pg: Playground): Promise<{ trend: string; participation: string }> {
  const { page } = pg;
  await page.goto(`${app.url}/`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  await page.fill('#clock-at', START);
  await page.click('#clock-go');
  await pg.settled();
  await page.fill('#clock-at', ''); // headless Chromium shows it in US order whatever the locale

  await pg.actAs(COORDINATOR);
  await pg.type('/partner setup "Riverside Partnership" purpose="Joined-up services for families by the river"');
  for (const [person, sector, org] of PEOPLE) {
    await pg.actAs(person);
    await pg.type(`/partner join ${sector} "${org}"`);
  }
  await pg.actAs(COORDINATOR);
  await pg.type('/partner join public "Riverside Council"');

  const everyone = [COORDINATOR, ...PEOPLE.map(([p]) => p)];
  const polls = 5;
  for (let poll = 0; poll < polls; poll++) {
    if (poll > 0) await pg.nextWeek(); // a Monday: the weekly digest and consultation reminders arrive
    await pg.actAs(COORDINATOR);
    // Two consultations in the first weeks, so the review pack has a "who is heard" chart; Acme stays quiet.
    if (poll === 0) {
      await pg.type('/partner consult "Draft youth strategy" by 2026-03-20 to all anyway');
      await answerConsultation(app, { alice: 'responded', dan: 'responded', frank: 'not_relevant', erin: 'more_time' });
    }
    if (poll === 1) {
      await pg.type('/partner consult "Riverbank play area plans" by 2026-03-27 to all anyway');
      await answerConsultation(app, { alice: 'responded', dan: 'responded', erin: 'responded', carol: 'responded' });
    }
    await pg.type('/partner pulse start days=3');
    // The first poll has too few answers, so its results are withheld; later ones most people answer.
    const voters = poll === 0 ? everyone.slice(1, 4) : everyone.filter((_, i) => (i + poll) % 7 !== 0);
    const last = poll === polls - 1;
    await answerPoll(app, poll, voters, last ? 'erin' : undefined);
    if (last) {
      // erin answers the last poll by clicking, as a person would.
      await pg.actAs('erin');
      for (const block of PULSE_BLOCKS) await pg.press(`button[data-block="${block}"][data-label="${score(block, poll, voters.indexOf('erin'))}"]`);
      await pg.actAs(COORDINATOR);
    }
    await pg.type('/partner pulse close');
  }

  // The coordinator asks for the review pack in a direct message: it has both charts.
  await page.selectOption('#where', 'dm');
  await pg.type('/partner review pack');
  await page.selectOption('#where', 'channel');
  // Nothing focused or hovered, so runs give the same picture.
  await page.evaluate(() => document.activeElement?.blur());
  await page.mouse.move(0, 0);
  return {
    trend: await chartSrc(page, '#channel-log', 'Pulse trend'),
    participation: await chartSrc(page, '#dm-log', 'Consultation response rates'),
  };
}

function save(name: string, data: Buffer, written: string[]): void {
  const path = join(OUT, name);
  writeFileSync(path, data);
  written.push(path);
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-screenshots-'));
  let app: App | undefined;
  let browser: BrowserContext | undefined;
  try {
    const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent' });
    app = await startApp(config, { log: pino({ level: 'silent' }) });
    browser = await launch(dir);
    const pg = new Playground(browser.pages()[0] ?? (await browser.newPage()));
    const charts = await tell(app, pg);

    mkdirSync(OUT, { recursive: true });
    const written: string[] = [];
    save('playground.png', await pg.page.screenshot(), written);
    const fetchPng = async (src: string) => {
      const res = await fetch(src);
      if (!res.ok || res.headers.get('content-type') !== 'image/png') throw new Error(`${src}: ${res.status} ${res.headers.get('content-type')}`);
      return Buffer.from(await res.arrayBuffer());
    };
    save('trend-chart.png', await fetchPng(charts.trend), written);
    save('participation-chart.png', await fetchPng(charts.participation), written);
    for (const path of written) console.log(`wrote ${relative(ROOT, path)} (${Math.round(statSync(path).size / 1024)} KiB)`);
  } finally {
    await browser?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const started = Date.now();
main().then(
  () => console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`),
  (err: unknown) => {
    console.error(`screenshots: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
