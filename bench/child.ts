// Servers under test run in their own process (the load generator and the fakes stay in this one),
// compiled to JavaScript and run with plain node as `npm start` runs the build, talking over IPC:
// "ready" with their URL, RSS on request, stop.
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface ChildServer {
  url: string;
  /** Whatever else the child said when ready (e.g. ids of the seeded story). */
  info: Record<string, unknown>;
  pid: number;
  /** The child's resident set size in bytes (after a GC when it can). */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

export type ToChild = { type: 'rss' } | { type: 'stop' };
export type FromChild = { type: 'ready'; url: string; info?: Record<string, unknown> } | { type: 'rss'; rss: number } | { type: 'failed'; error: string };

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let build: Promise<string> | null = null;

/**
 * bench/servers and what they import, compiled once per run (tsconfig.bench.json, like `npm run build`)
 * into a folder of this process's own inside the checkout, so that the package's "type" and
 * node_modules apply; removed when the run ends. Through tsx, a server would carry the loader's
 * thread and transpiled sources: ~50 MB more than `npm start` holds.
 */
export function compiledServers(): Promise<string> {
  build ??= (async () => {
    const builds = join(ROOT, 'bench', '.build');
    // Folders of runs that were killed before they could remove theirs.
    for (const pid of existsSync(builds) ? readdirSync(builds) : []) if (!alive(Number(pid))) rmSync(join(builds, pid), { recursive: true, force: true });
    const out = join(builds, String(process.pid));
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.bench.json'), '--outDir', out], { cwd: ROOT });
    return join(out, 'bench', 'servers');
  })();
  return build;
}

/** Starts bench/servers/<name>.ts (compiled) with `env` added; BENCH_CPU_PROF=<dir> profiles it (--cpu-prof). */
export async function startChild(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ChildServer> {
  const servers = await compiledServers();
  const prof = process.env.BENCH_CPU_PROF;
  // One folder per server, so that profiles of different servers are not mixed up.
  const execArgv = ['--expose-gc', ...(prof ? ['--cpu-prof', '--cpu-prof-dir', `${prof}/${name}`] : [])];
  const child: ChildProcess = fork(join(servers, `${name}.js`), [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Extract<FromChild, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    child.on('message', (m: FromChild) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${name} failed to start: ${m.error}`));
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    url: ready.url,
    info: ready.info ?? {},
    pid: child.pid!,
    rss: () =>
      new Promise<number>((resolve) => {
        const on = (m: FromChild) => {
          if (m.type !== 'rss') return;
          child.off('message', on);
          resolve(m.rss);
        };
        child.on('message', on);
        child.send({ type: 'rss' } satisfies ToChild);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' } satisfies ToChild);
      }),
  };
}
