// `npm run bench` runs every benchmark, prints one table and writes bench/results/latest.json.
// `--quick`: tiny sizes, to check the benchmarks work (CI); targets are shown but do not fail the run.
// `--only` runs write bench/results/partial.json instead.
// `--only a,b`: just those benchmarks (by name). `--strict`: a missed target fails the run too.
// Exit code: 1 if a benchmark crashed (or, with --strict in full mode, if a target was missed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { digestBench } from './digest-fanout.ts';
import { machine, type Benchmark, type Row } from './harness.ts';
import { memoryBench } from './memory.ts';
import { pollResultsBench } from './poll-results.ts';
import { pulseAnswerBench } from './pulse-answer.ts';
import { slackCommandBench } from './slack-command.ts';
import { startupBench } from './startup.ts';
import { teamsMessageBench } from './teams-message.ts';
import { tickIdleBench } from './tick-idle.ts';
import { tickNudgesBench } from './tick-nudges.ts';

const ALL: Benchmark[] = [
  slackCommandBench,
  teamsMessageBench,
  pulseAnswerBench,
  tickIdleBench,
  tickNudgesBench,
  pollResultsBench,
  digestBench,
  memoryBench,
  startupBench,
];

function parseArgs(argv: string[]): { quick: boolean; strict: boolean; only: string[] | null } {
  const quick = argv.includes('--quick');
  const strict = argv.includes('--strict');
  const i = argv.indexOf('--only');
  const only = i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : null;
  return { quick, strict, only };
}

function fmt(n: number | null, digits = 3): string {
  if (n === null || !Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 100) return String(Math.round(n));
  return String(Number(n.toPrecision(digits)));
}

function targetText(r: Row): string {
  if (!r.target) return '—';
  const op = r.target.op === '>=' ? '≥' : '≤';
  return r.target.on === 'ratio' ? `${op} ${r.target.bound}×` : `${op} ${r.target.bound} ${r.unit}`;
}

export function table(rows: Row[]): string {
  const head = ['benchmark', 'unit', 'baseline', 'partnerbot', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [
    r.benchmark,
    r.unit,
    fmt(r.baseline),
    fmt(r.partnerbot),
    r.ratio === null ? '—' : `${fmt(r.ratio, 2)}×`,
    targetText(r),
    r.pass === null ? '—' : r.pass ? 'pass' : 'MISS',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { quick, strict, only } = parseArgs(process.argv.slice(2));
  const chosen = only ? ALL.filter((b) => only.includes(b.name)) : ALL;
  if (only && chosen.length !== only.length) {
    throw new Error(`unknown benchmark in --only ${only.join(',')}; known: ${ALL.map((b) => b.name).join(', ')}`);
  }
  const facts = machine();
  const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  log(`${quick ? 'quick' : 'full'} run on ${facts.cores} cores (${facts.cpu}), Node ${facts.node}, load ${facts.load.join(' ')}`);
  const started = Date.now();
  const rows: Row[] = [];
  const crashed: { benchmark: string; error: string }[] = [];
  for (const b of chosen) {
    const t0 = Date.now();
    try {
      rows.push(...(await b.run({ quick, log })));
      log(`${b.name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      crashed.push({ benchmark: b.name, error });
      log(`${b.name}: CRASHED\n${error}`);
    }
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const end = machine();
  process.stdout.write(`\n${table(rows)}\n\n`);
  process.stdout.write(
    `${quick ? 'quick (sizes too small for the numbers to mean much)' : 'full'} run: ${seconds} s on ${facts.cores} cores, ${facts.cpu}, ${facts.memoryGb} GB, Node ${facts.node}; load average at start ${facts.load.join(' ')}, at end ${end.load.join(' ')}\n`,
  );
  for (const c of crashed) process.stdout.write(`CRASHED: ${c.benchmark}: ${c.error.split('\n')[0]}\n`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const result = { when: new Date().toISOString(), mode: quick ? 'quick' : 'full', seconds, machine: { ...facts, loadAtEnd: end.load }, rows, crashed };
  // A partial run (--only) must not replace the last complete one.
  writeFileSync(new URL(only ? './results/partial.json' : './results/latest.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  const missed = rows.filter((r) => r.pass === false).length;
  if (crashed.length) process.exitCode = 1;
  else if (strict && !quick && missed) process.exitCode = 1;
  // Children and sockets are closed by each benchmark; a lingering handle must not hang CI.
  setTimeout(() => process.exit(), 1000).unref();
}

await main();
