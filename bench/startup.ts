// Start-up: `npm start` (as installed: `npm ci` builds dist/, which npm start runs with plain node; a
// fresh SQLite file; the local adapter since no chat platform is configured) until GET /healthz answers
// 200, vs `node -e "require('@slack/bolt')"` to its exit. Alternating runs; medians.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { STAMP, sourceHash } from '../scripts/source-hash.js';
import { atMost, median, nowMs, row, sleep, type Benchmark } from './harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The environment without any chat platform's variables (the local adapter is then on). */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLACK_|MICROSOFT_|TEAMS_|DATABASE_URL|PORT$|LOCAL_ADAPTER)/.test(k)));
  return { ...env, ...extra };
}

async function npmStartToHealthy(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-start-'));
  const port = await freePort();
  const started = nowMs();
  // Its own process group, so npm, tsx and node all stop together.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: plainEnv({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: String(port), HOST: '127.0.0.1', REPL: 'false', LOG_LEVEL: 'warn' }),
    stdio: 'ignore',
    detached: true,
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error('npm start exited before /healthz answered');
      if (nowMs() - started > 60_000) throw new Error('/healthz did not answer 200 within 60 s');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return nowMs() - started;
      await sleep(10);
    }
  } finally {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([gone, sleep(12_000)]);
      if (!exited) process.kill(-child.pid!, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds dist/ when it is missing or older than the sources: npm start would run them through tsx. */
async function ensureBuilt(log: (m: string) => void): Promise<void> {
  let built = '';
  try {
    built = readFileSync(join(ROOT, 'dist', STAMP), 'utf8').trim();
  } catch {
    // not built
  }
  if (built === sourceHash(ROOT)) return;
  log('startup: dist/ is missing or stale; building it as npm ci does (npm run build)');
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build.js')], { cwd: ROOT });
}

async function requireBolt(): Promise<number> {
  const started = nowMs();
  const child = spawn(process.execPath, ['-e', "require('@slack/bolt')"], { cwd: ROOT, stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`node -e "require('@slack/bolt')" exited with ${code}`);
  return nowMs() - started;
}

export const startupBench: Benchmark = {
  name: 'startup',
  async run(ctx) {
    await ensureBuilt(ctx.log);
    // Five runs: a start is now ~1-2 s, and the median of five holds better on a shared machine.
    const runs = ctx.quick ? 1 : 5;
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) {
      base.push(await requireBolt());
      ours.push(await npmStartToHealthy());
    }
    ctx.log(`startup: npm start ${ours.map((t) => t.toFixed(0)).join(', ')} ms; require bolt ${base.map((t) => t.toFixed(0)).join(', ')} ms`);
    return [
      row({
        benchmark: 'Start-up, npm start → /healthz 200',
        unit: 'ms',
        baseline: median(base),
        partnerbot: median(ours),
        target: atMost(3),
        note: `npm start runs the build in dist/; fresh SQLite file (migrations run), local adapter; baseline: node -e "require('@slack/bolt')" to exit; median of ${runs}`,
      }),
    ];
  },
};
