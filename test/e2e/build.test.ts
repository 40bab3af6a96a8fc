// `npm start` runs the JavaScript build (scripts/build.js, run by `npm ci` as `prepare`) when it was
// made from the sources as they are, and the TypeScript through tsx when it is missing or stale. Checked
// on a copy of the checkout, so the build, the edits and the deletions here touch nothing real.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'partnerbot-build-'));
const children: ChildProcess[] = [];
afterEach(() => {
  // A test that failed before stopping its bot must not leave it running.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(name: string): Running {
  const child = spawn(process.execPath, [join(copy, 'scripts/start.js')], {
    cwd: copy,
    env: { PATH: process.env.PATH ?? '', HOME: copy, PORT: '0', LOG_LEVEL: 'info', REPL: 'false', DATABASE_URL: join(copy, `${name}.sqlite`) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Waits for the "running" line; answers its URL and which code it said it runs. */
async function running(run: Running, timeoutMs = 90_000): Promise<{ url: string; code: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = run.output().split('\n').find((l) => l.includes('partnerbot is running at'));
    if (line) {
      const parsed = JSON.parse(line) as { url: string; code: string };
      return { url: parsed.url, code: parsed.code };
    }
    if (run.child.exitCode !== null) throw new Error(`exited early:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`did not start:\n${run.output()}`);
}

async function stop(run: Running): Promise<void> {
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
}

beforeAll(async () => {
  for (const path of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'db']) {
    cpSync(join(ROOT, path), join(copy, path), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  await promisify(execFile)(process.execPath, [join(copy, 'scripts/build.js')], { cwd: copy });
}, 300_000);

describe('npm start and the build', () => {
  it('builds src and db into dist, with the playground files beside the code that serves them', () => {
    expect(existsSync(join(copy, 'dist/src/bot/main.js'))).toBe(true);
    expect(existsSync(join(copy, 'dist/db/migrate.js'))).toBe(true);
    expect(existsSync(join(copy, 'dist/src/adapters/local/playground/index.html'))).toBe(true);
    // Relative imports point at the .js files (rewriteRelativeImportExtensions), the lazy ones too.
    const app = readFileSync(join(copy, 'dist/src/bot/app.js'), 'utf8');
    expect(app).toMatch(/import\("\.\.\/adapters\/slack\/index\.js"\)/);
    expect(app).not.toMatch(/from ['"]\.{1,2}\/[^'"]*\.ts['"]/);
  });

  it('runs the build with plain node when it is current: local adapter, playground, clean stop', async () => {
    const run = start('current');
    const { url, code } = await running(run);
    expect(code).toBe('build');
    expect(run.output()).not.toMatch(/through tsx/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const reply = await fetch(`${url}/local/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'carol', channel: 'general', text: '/partner help' }),
    });
    expect(reply.status).toBe(200);
    expect(JSON.stringify(await reply.json())).toMatch(/consult/);
    await stop(run);
    expect(run.output()).toMatch(/"msg":"stopped"/);
  }, 120_000);

  it('runs the TypeScript through tsx, and says so, once a source changed after the build', async () => {
    appendFileSync(join(copy, 'src/bot/clock.ts'), '\n// edited after the build\n');
    const run = start('stale');
    const { url, code } = await running(run);
    expect(code).toBe('typescript');
    expect(run.output()).toMatch(/the sources changed since dist\/ was built.*npm run build/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await stop(run);
  }, 120_000);

  it('runs the TypeScript through tsx when there is no build', async () => {
    rmSync(join(copy, 'dist'), { recursive: true, force: true });
    const run = start('unbuilt');
    const { code } = await running(run);
    expect(code).toBe('typescript');
    expect(run.output()).toMatch(/there is no build in dist\//);
    await stop(run);
  }, 120_000);

  it('is what npm ci and npm start run', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toBe('node scripts/build.js');
    expect(pkg.scripts.build).toBe('node scripts/build.js');
    expect(pkg.scripts.start).toBe('node scripts/start.js');
  });
});
