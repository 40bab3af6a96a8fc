// The real `npm start` entry point as a process: serves the local adapter, stops cleanly on
// SIGTERM and SIGINT, and refuses bad configuration with a clear message and a non-zero exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'partnerbot-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bot/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function urlOf(run: Running, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /partnerbot is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output());
    if (m) return m[1]!;
    if (run.child.exitCode !== null) throw new Error(`exited early:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`did not start:\n${run.output()}`);
}

describe('npm start (src/bot/main.ts)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves the local adapter and exits 0 on ${signal}`, async () => {
      const run = start({ DATABASE_URL: join(dir, `${signal}.sqlite`) });
      const url = await urlOf(run);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const reply = await fetch(`${url}/local/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'carol', channel: 'general', text: '/partner help' }),
      });
      expect(reply.status).toBe(200);
      expect(JSON.stringify(await reply.json())).toMatch(/consult/);
      expect(run.output()).toMatch(/local adapter started/);
      run.child.kill(signal);
      expect(await run.exited).toBe(0);
      expect(run.output()).toMatch(/"msg":"stopped"/);
    }, 60_000);
  }

  it('refuses a database URL it cannot use, saying which and why, with a non-zero exit', async () => {
    const run = start({ DATABASE_URL: 'mysql://localhost/partnerbot' });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/mysql:\/\/localhost\/partnerbot/);
    expect(run.output()).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
  }, 60_000);

  it('refuses an SQLite path it cannot create', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const run = start({ DATABASE_URL: join(blocker, 'db.sqlite') });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/a-file/);
  }, 60_000);

  it('refuses a bad PORT with the variable named', async () => {
    const run = start({ PORT: 'eighty' });
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toMatch(/PORT/);
  }, 60_000);
});
