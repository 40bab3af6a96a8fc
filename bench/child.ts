// Servers under test run in their own process (the load generator and the fakes stay in this one),
// started with tsx like `npm start`, talking over IPC: "ready" with their URL, RSS on request, stop.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

const SERVERS = fileURLToPath(new URL('./servers/', import.meta.url));

/** Starts bench/servers/<name>.ts with `env` added; BENCH_CPU_PROF=<dir> profiles it (--cpu-prof). */
export async function startChild(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ChildServer> {
  const prof = process.env.BENCH_CPU_PROF;
  // One folder per server: the tsx loader's worker thread writes a profile of its own beside the main one.
  const execArgv = ['--import', 'tsx', '--expose-gc', ...(prof ? ['--cpu-prof', '--cpu-prof-dir', `${prof}/${name}`] : [])];
  const child: ChildProcess = fork(`${SERVERS}${name}.ts`, [], {
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
