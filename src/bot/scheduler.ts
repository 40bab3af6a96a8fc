// Time passes: due jobs -> the domain decides -> outbox rows, each job in its own transaction.
import cron, { type ScheduledTask } from 'node-cron';
import type { Deps, JobTable } from './context.ts';

export interface TickReport {
  ran: number;
  failed: number;
}

const BATCH = 200;

export function createScheduler(deps: Deps, runners: JobTable) {
  /** Runs every job due at `now`. A job that throws is logged and left pending for the next tick. */
  async function tick(now: Date): Promise<TickReport> {
    const at = now.toISOString();
    const failed = new Set<string>();
    let ran = 0;
    for (;;) {
      const due = (await deps.store.dueJobs(at, BATCH + failed.size)).filter((j) => !failed.has(j.id));
      if (!due.length) break;
      for (const job of due) {
        try {
          await deps.store.transaction(async (tx) => {
            const partnership = await tx.partnership(job.partnershipId);
            const runner = runners[job.kind];
            if (partnership && partnership.status === 'active' && runner) {
              await runner({ deps, tx, now, job, partnership });
            } else if (!runner) {
              deps.log.warn({ kind: job.kind, job: job.id }, 'no runner for job kind; dropping it');
            }
            await tx.completeJob(job.id, at);
          });
          ran++;
        } catch (err) {
          failed.add(job.id);
          deps.log.error({ err, kind: job.kind, job: job.id }, 'scheduled job failed; will retry next tick');
        }
      }
    }
    return { ran, failed: failed.size };
  }

  let task: ScheduledTask | null = null;
  return {
    tick,
    /** Ticks every minute on the wall clock, then calls `after` (the dispatcher). */
    start(after: () => Promise<void>): void {
      task = cron.schedule(
        '* * * * *',
        async () => {
          await tick(deps.clock.now());
          await after();
        },
        { name: 'partnerbot-tick', noOverlap: true },
      );
    },
    async stop(): Promise<void> {
      await task?.destroy();
      task = null;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
