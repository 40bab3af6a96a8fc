// Time passes: due jobs -> the domain decides -> outbox rows. Jobs are claimed first (owner + lease;
// SKIP LOCKED on PostgreSQL), then each runs in its own transaction that re-checks the claim, decides,
// writes its outbox rows and marks itself done: several instances never run one job twice, and a job
// whose instance died is taken over when its lease runs out.
// Kinds due by the thousand (nudges, digests: their runner has a `batch`) go first and differently:
// up to `bulk` of a kind (or the runner's own `bulk`, when smaller) are locked, decided with
// set-based queries, written and marked done in one transaction (SKIP LOCKED keeps instances apart;
// a crash leaves nothing claimed). If that transaction fails, the kind is left to the claims, one
// job at a time, so a job that throws holds back only itself.
import cron, { type ScheduledTask } from 'node-cron';
import type { Partnership } from '../domain/partnership.ts';
import type { Job, JobKind } from '../domain/ports.ts';
import type { Deps, JobBatchContext, JobTable } from './context.ts';
import { instanceId } from './dispatcher.ts';
import type { Metrics } from './metrics.ts';

export interface TickReport {
  ran: number;
  failed: number;
}

export interface SchedulerOptions {
  owner: string;
  /** How long a claim on a job holds before another instance may take it over. */
  leaseMs: number;
  /** Jobs claimed at once. */
  batch: number;
  /** Jobs of a kind whose runner has a `batch` run at once, in one transaction. */
  bulk: number;
  metrics?: Metrics;
  /** Called when a batch has committed outbox rows, while the tick goes on (the dispatcher, so a
   * Monday's first digests are sent while later ones are still decided). */
  committed?: () => void;
}

export function createScheduler(deps: Deps, runners: JobTable, options: Partial<SchedulerOptions> = {}) {
  const o: SchedulerOptions = { owner: instanceId(), leaseMs: 120_000, batch: 50, bulk: 1000, ...options };
  const bulkKinds = (Object.keys(runners) as JobKind[]).filter((kind) => runners[kind]?.batch);
  let stopping = false;
  let current: Promise<TickReport> | null = null;

  /** Up to `bulk` due jobs of `kind` in one transaction: how many were done (run, or dropped with
   * their partnership), or null if it failed (nothing of it is kept). */
  async function runBulk(kind: JobKind, batch: (ctx: JobBatchContext) => Promise<void>, size: number, now: Date, at: string): Promise<number | null> {
    try {
      const done = await deps.store.transaction(async (tx) => {
        const jobs = await tx.lockDueJobs(at, size, [kind]);
        if (!jobs.length) return 0;
        const partnerships = new Map<string, Partnership>();
        for (const p of await tx.partnershipsById(jobs.map((j) => j.partnershipId))) partnerships.set(p.id, p);
        const items: JobBatchContext['items'] = [];
        for (const job of jobs) {
          const partnership = partnerships.get(job.partnershipId);
          // As one by one: a job of a partnership gone or no longer active is done without running.
          if (partnership && partnership.status === 'active') items.push({ job, partnership });
        }
        if (items.length) await batch({ deps, tx, now, items });
        await tx.completeJobs(jobs.map((j) => j.id), at);
        return jobs.length;
      });
      if (done) {
        o.metrics?.jobs.inc({ outcome: 'ran' }, done);
        o.committed?.();
      }
      return done;
    } catch (err) {
      deps.log.warn({ err, kind }, 'batch of scheduled jobs failed; running them one by one');
      return null;
    }
  }

  /** One job in its own transaction: true if it ran, false if another instance holds it now. */
  async function runOne(job: Job, now: Date, at: string): Promise<boolean> {
    const done = await deps.store.transaction(async (tx) => {
      // Taken over by another instance after our lease ran out: theirs now.
      if (!(await tx.holdJob(job.id, o.owner))) return false;
      const partnership = await tx.partnership(job.partnershipId);
      const runner = runners[job.kind];
      if (partnership && partnership.status === 'active' && runner) {
        await runner({ deps, tx, now, job, partnership });
      } else if (!runner) {
        deps.log.warn({ kind: job.kind, job: job.id }, 'no runner for job kind; dropping it');
      }
      await tx.completeJob(job.id, at);
      return true;
    });
    o.metrics?.jobs.inc({ outcome: done ? 'ran' : 'taken_over' });
    return done;
  }

  /** Runs every job due at `now`. A job that throws is logged and left pending for the next tick. */
  async function tick(now: Date): Promise<TickReport> {
    const end = o.metrics?.tickDuration.startTimer();
    const at = now.toISOString();
    const failed = new Set<string>();
    let ran = 0;
    try {
      // Most minutes nothing is due: one indexed read, no transaction.
      if (!(await deps.store.anyDueJobs(at))) return { ran, failed: 0 };
      for (const kind of bulkKinds) {
        const runner = runners[kind]!;
        const size = Math.min(o.bulk, runner.bulk ?? o.bulk);
        while (!stopping) {
          const done = await runBulk(kind, runner.batch!, size, now, at);
          if (done === null) break; // left to the claims below
          ran += done;
          if (done < size) break;
          // Between batches the dispatcher sends what the last one committed (see below).
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      while (!stopping) {
        const claim = { owner: o.owner, until: new Date(now.getTime() + o.leaseMs).toISOString() };
        const due = await deps.store.claimJobs(at, claim, o.batch, [...failed]);
        if (!due.length) break;
        for (const job of due) {
          if (stopping) {
            await deps.store.releaseJob(job.id, o.owner);
            continue;
          }
          // Let the rest of the process run between jobs (the dispatcher sending what earlier jobs
          // wrote, requests coming in): with SQLite every query resolves at once, so a tick of a
          // thousand digests would otherwise hold the event loop for its whole length.
          await new Promise<void>((resolve) => setImmediate(resolve));
          try {
            if (await runOne(job, now, at)) ran++;
          } catch (err) {
            failed.add(job.id);
            o.metrics?.jobs.inc({ outcome: 'failed' });
            deps.log.error({ err, kind: job.kind, job: job.id }, 'scheduled job failed; will retry next tick');
            await deps.store.releaseJob(job.id, o.owner).catch(() => undefined);
          }
        }
      }
    } finally {
      end?.();
    }
    return { ran, failed: failed.size };
  }

  /** One tick at a time in this process; a tick asked for while one runs is skipped. */
  async function once(after: () => Promise<void>): Promise<void> {
    if (current || stopping) return;
    current = tick(deps.clock.now());
    try {
      await current;
      await after();
    } catch (err) {
      deps.log.error({ err }, 'tick failed');
    } finally {
      current = null;
    }
  }

  let task: ScheduledTask | null = null;
  return {
    tick,
    owner: o.owner,
    /** Ticks now (catching up on downtime) and then every minute on the wall clock, each followed by `after` (the dispatcher). */
    start(after: () => Promise<void>): void {
      void once(after);
      task = cron.schedule('* * * * *', () => once(after), { name: 'partnerbot-tick', noOverlap: true });
    },
    /** Starts no new job and waits for the one running; unstarted claimed jobs are given back. */
    async stop(): Promise<void> {
      stopping = true;
      await task?.destroy();
      task = null;
      await current?.catch(() => undefined);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
