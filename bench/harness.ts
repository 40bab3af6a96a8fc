// The shared harness: timing, percentiles, the result row every benchmark returns, machine facts.
import { cpus, loadavg, totalmem } from 'node:os';

/** How a row is judged: its ratio (partnerbot ÷ baseline) or its own value against a bound. */
export interface Target {
  on: 'ratio' | 'value';
  op: '>=' | '<=';
  bound: number;
}

export interface Row {
  benchmark: string;
  unit: string;
  baseline: number | null;
  partnerbot: number;
  /** partnerbot ÷ baseline, in the unit's sense (for a time, lower is better). */
  ratio: number | null;
  target: Target | null;
  pass: boolean | null;
  /** What the baseline was, sizes, counts: anything a reader needs to trust the numbers. */
  note?: string;
}

export interface BenchContext {
  quick: boolean;
  /** Progress on stderr, so stdout holds only the table. */
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

/** Builds a row and judges it against its target. */
export function row(r: Omit<Row, 'ratio' | 'pass'> & { ratio?: number | null }): Row {
  const ratio = r.ratio !== undefined ? r.ratio : r.baseline ? r.partnerbot / r.baseline : null;
  let pass: boolean | null = null;
  if (r.target) {
    const v = r.target.on === 'ratio' ? ratio : r.partnerbot;
    if (v !== null && Number.isFinite(v)) pass = r.target.op === '>=' ? v >= r.target.bound : v <= r.target.bound;
  }
  return { ...r, ratio, pass };
}

export const atLeast = (bound: number, on: Target['on'] = 'ratio'): Target => ({ on, op: '>=', bound });
export const atMost = (bound: number, on: Target['on'] = 'ratio'): Target => ({ on, op: '<=', bound });

/** Milliseconds on the monotonic clock. */
export function nowMs(): number {
  return performance.now();
}

export async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs `fn` `warmup` times unmeasured, then `runs` times measured; returns the times in ms. */
export async function samples(fn: (i: number) => Promise<unknown> | unknown, runs: number, warmup = Math.min(3, runs)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await timeMs(() => fn(i)));
  return out;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Operations per second from a count and a time in ms. */
export const perSecond = (count: number, ms: number): number => (count * 1000) / ms;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` until it holds; throws after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGb: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the run started: a busy machine reads slower. */
  load: number[];
}

export function machine(): Machine {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
