// Wires config -> database -> core -> adapters -> server -> scheduler. main.ts and the tests call this.
import type { Logger } from 'pino';
import { connect, parseDatabaseUrl } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Platform } from '../domain/partnership.ts';
import type { BotCore } from './core.ts';
import { Inbox } from '../adapters/local/inbox.ts';
import { localRouter } from '../adapters/local/http.ts';
import type { Clock } from '../domain/ports.ts';
import { SimulatedClock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { Deps, HandlerTable, JobTable } from './context.ts';
import { createDispatcher, instanceId, type Sender } from './dispatcher.ts';
import { lockSqliteInstance, type InstanceLock } from './instance-lock.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { DEFAULT_RELIABILITY, type ReliabilityOptions } from './reliability.ts';
import { createCommandRunner } from './handlers.ts';
import { consultationHandlers } from './handlers/consultation.ts';
import { digestHandlers } from './handlers/digest.ts';
import { partnershipHandlers } from './handlers/partnership.ts';
import { pulseHandlers } from './handlers/pulse.ts';
import { reviewHandlers } from './handlers/review.ts';
import { statusHandlers } from './handlers/status.ts';
import { randomIds, voterHasher } from './ids.ts';
import { consultationJobs } from './jobs/consultation.ts';
import { digestJobs } from './jobs/digest.ts';
import { pulseJobs } from './jobs/pulse.ts';
import { reviewJobs } from './jobs/review.ts';
import { sealingAfter, withRetention } from './jobs/retention.ts';
import { privacyHandlers, sealingBallots } from './handlers/privacy.ts';
import { linkHandlers } from './handlers/link.ts';
import { createLogger } from './logger.ts';
import type { PlatformAdapter } from './platform.ts';
import { createScheduler } from './scheduler.ts';
import { greet, home } from './personal.ts';
import { loadSecret } from './secret.ts';
import { requestMixin, startServer } from './server.ts';
import { mediaRouter } from './media.ts';

export const HANDLERS: HandlerTable = {
  ...partnershipHandlers,
  ...statusHandlers,
  ...consultationHandlers,
  ...pulseHandlers,
  ...reviewHandlers,
  ...digestHandlers,
  ...privacyHandlers,
  ...linkHandlers,
  // Closing a poll seals its ballots in the same transaction (src/bot/handlers/privacy.ts).
  'pulse.close': sealingBallots(pulseHandlers['pulse.close']!),
};

export const JOBS: JobTable = {
  ...consultationJobs,
  ...pulseJobs,
  ...reviewJobs,
  ...digestJobs,
  // Privacy: the scheduled close seals ballots; retention runs with each weekly digest (src/bot/jobs/retention.ts).
  'pulse.close': sealingAfter(pulseJobs['pulse.close']!),
  digest: withRetention(digestJobs.digest!),
};

export interface App {
  url: string;
  core: BotCore;
  deps: Deps;
  inbox: Inbox | null;
  metrics: Metrics;
  /** This instance's name in claims. */
  owner: string;
  stop(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  /** Replaces the real clock (tests); the local adapter otherwise gets a clock /local/tick can move. */
  clock?: Clock;
  /** Claims and sending (main.ts reads them from the environment). */
  reliability?: Partial<ReliabilityOptions> & { owner?: string };
  /** Wraps each platform's sender (fault tests: a sender that hangs or fails). */
  wrapSender?: (platform: Platform, sender: Sender) => Sender;
}

export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger({ level: config.logLevel, mixin: requestMixin });
  const r = { ...DEFAULT_RELIABILITY, ...opts.reliability };
  const owner = opts.reliability?.owner ?? instanceId();
  const sqlite = parseDatabaseUrl(config.databaseUrl);
  const store = await connect(config.databaseUrl);
  let lock: InstanceLock | null = null;
  try {
    // One instance per SQLite file (see instance-lock.ts), decided before migrations touch it.
    if (sqlite.kind === 'sqlite' && sqlite.path !== ':memory:') lock = lockSqliteInstance(sqlite.path);
    await migrateToLatest(store.db, store.dialect);
  } catch (err) {
    lock?.release();
    await store.close().catch(() => undefined);
    throw err;
  }
  const clock = opts.clock ?? (config.local ? new SimulatedClock() : systemClock);
  const deps: Deps = {
    store,
    clock,
    ids: randomIds,
    log,
    voterHash: voterHasher(loadSecret(config.secret, config.databaseUrl)),
  };
  log.info({ dialect: store.dialect, instance: owner }, 'database ready (migrations applied)');
  if (store.dialect === 'sqlite') {
    // The only instance on this file (the lock says so): claims left behind are a dead process's.
    const released = await store.releaseClaims(null);
    if (released) log.warn({ released }, 'took back work claimed by a previous run that did not stop cleanly');
  }
  const metrics = createMetrics({ outboxDepth: () => store.outboxDepth(), processMetrics: true });

  const inbox = config.local ? new Inbox() : null;
  const wrap = opts.wrapSender ?? ((_platform: Platform, sender: Sender) => sender);
  const senders: Partial<Record<Platform, Sender>> = inbox ? { local: wrap('local', inbox) } : {};
  const dispatcher = createDispatcher(
    deps,
    senders,
    { maxAttempts: config.maxAttempts, concurrency: r.concurrency, leaseMs: r.leaseMs, sendTimeoutMs: r.sendTimeoutMs, baseDelayMs: r.retryBaseMs, maxDelayMs: r.retryMaxMs, owner },
    { metrics },
  );
  // A job runs in well under a second; its lease is the longer one so a slow batch never loses it.
  const scheduler = createScheduler(deps, JOBS, {
    owner,
    leaseMs: 2 * r.leaseMs,
    metrics,
    committed: () => void dispatcher.flush().catch((err) => log.error({ err }, 'dispatch failed')),
  });
  // The dispatcher is woken after a command only when it put messages in the outbox (most send nothing later).
  const runner = createCommandRunner(deps, HANDLERS, { onOutbox: () => void dispatcher.flush().catch((err) => log.error({ err }, 'dispatch failed')) });

  const core: BotCore = {
    runCommand: (actor, text) => runner.runCommand(actor, text),
    runAction: (actor, id, value) => runner.runAction(actor, id, value),
    greet: (actor) => greet(deps, actor),
    home: (actor) => home(deps, actor),
    async tick(now) {
      if (clock instanceof SimulatedClock) clock.set(now);
      const report = await scheduler.tick(now);
      log.debug({ ...report, now: now.toISOString() }, 'tick');
      await dispatcher.flush();
    },
    async flush() {
      await dispatcher.flush();
    },
    healthy: () => store.ping(),
  };

  const adapters: PlatformAdapter[] = [];
  // One platform call may take up to 10 s (less when the whole send must finish sooner).
  const adapterContext = { core, deps, db: store.db, dialect: store.dialect, log, host: config.host, requestTimeoutMs: Math.min(10_000, r.sendTimeoutMs) };
  // Loaded only when configured: @slack/bolt and teams-ai cost start-up time and memory otherwise
  // (Teams' SDK is loaded later still, on its first request or send: src/adapters/teams/index.ts).
  if (config.slack) {
    const { createSlackAdapter } = await import('../adapters/slack/index.ts');
    adapters.push(await createSlackAdapter(adapterContext, config.slack));
  }
  if (config.teams) {
    const { createTeamsAdapter } = await import('../adapters/teams/index.ts');
    adapters.push(await createTeamsAdapter(adapterContext, config.teams));
  }
  for (const a of adapters) senders[a.platform] = wrap(a.platform, a.sender);

  const routers = [
    mediaRouter(deps, () => server.url, { publicUrl: config.publicUrl }), // charts and documents at expiring links (src/bot/media.ts)
    ...(inbox ? [localRouter(core, inbox, { allowTick: config.local, log })] : []),
    ...adapters.flatMap((a) => (a.router ? [a.router] : [])),
  ];
  const server = await startServer({ host: config.host, port: config.port, routers, healthy: core.healthy, log, metrics });
  if (inbox) log.info({ url: `${server.url}/local/commands` }, 'local adapter started: POST /local/commands, GET /local/channels/:channel/messages');
  for (const a of adapters) {
    await a.start?.();
    log.info({ platform: a.platform }, `${a.platform} adapter started`);
  }
  if (config.scheduler) {
    // Ticks at once (catching up on downtime), then every minute; the dispatcher also polls.
    scheduler.start(() => dispatcher.flush().then(() => undefined));
    dispatcher.start(r.pollMs);
    log.info('scheduler started: every minute');
  }

  let stopped = false;
  return {
    url: server.url,
    core,
    deps,
    inbox,
    metrics,
    owner,
    /** Takes no new requests or work, finishes what is in flight (or gives it back), closes the database. */
    async stop() {
      if (stopped) return;
      stopped = true;
      await scheduler.stop();
      await server.close();
      for (const a of adapters) await a.stop?.();
      await dispatcher.stop().catch((err) => log.error({ err }, 'could not give back claimed work; it is taken over when its lease runs out'));
      await store.close();
      lock?.release();
      log.info('stopped');
    },
  };
}
