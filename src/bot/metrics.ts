// Prometheus metrics (prom-client), one registry per app so several apps can run in one process
// (tests). Served at GET /metrics. Labels carry platforms, routes and outcomes only: never ids,
// names or anything a person wrote.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type SendOutcome = 'sent' | 'retry' | 'dead' | 'deferred';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  sends: Counter<'platform' | 'outcome'>;
  retries: Counter<'platform'>;
  deadLetters: Counter<'platform'>;
  jobs: Counter<'outcome'>;
  tickDuration: Histogram;
}

export interface MetricsOptions {
  /** Outbox rows waiting and dead, read when /metrics is scraped. */
  outboxDepth?: () => Promise<{ pending: number; dead: number }>;
  /** Node's process metrics (CPU, memory, event loop lag). */
  processMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'partnerbot_' });
  const registers = [registry];
  const depth = opts.outboxDepth;
  new Gauge({
    name: 'partnerbot_outbox_depth',
    help: 'Outbox rows by status: pending (waiting or being sent) and dead (dead letters, shown in /partner status).',
    labelNames: ['status'],
    registers,
    async collect() {
      if (!depth) return;
      try {
        for (const [status, n] of Object.entries(await depth())) this.set({ status }, n);
      } catch {
        // The database is unreachable (or closing): /healthz says so; keep the last values.
      }
    },
  });
  return {
    registry,
    requests: new Counter({ name: 'partnerbot_http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['method', 'route', 'status'], registers }),
    sends: new Counter({ name: 'partnerbot_outbox_sends_total', help: 'Outbox send attempts by platform and outcome (sent, retry, dead, deferred by a rate limit or Retry-After).', labelNames: ['platform', 'outcome'], registers }),
    retries: new Counter({ name: 'partnerbot_outbox_retries_total', help: 'Failed sends that will be retried.', labelNames: ['platform'], registers }),
    deadLetters: new Counter({ name: 'partnerbot_outbox_dead_letters_total', help: 'Messages dead-lettered after too many attempts or a permanent failure.', labelNames: ['platform'], registers }),
    jobs: new Counter({ name: 'partnerbot_jobs_total', help: 'Scheduled jobs run, by outcome.', labelNames: ['outcome'], registers }),
    tickDuration: new Histogram({ name: 'partnerbot_tick_duration_seconds', help: 'Time a scheduler tick takes.', buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60], registers }),
  };
}
