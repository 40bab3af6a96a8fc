// Wires config -> database -> core -> adapters -> server -> scheduler. main.ts and the tests call this.
import pino, { type Logger } from 'pino';
import { openStore } from '../../db/connect.ts';
import type { BotCore } from './core.ts';
import { Inbox } from '../adapters/local/inbox.ts';
import { localRouter } from '../adapters/local/http.ts';
import type { Clock } from '../domain/ports.ts';
import { SimulatedClock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import type { Deps, HandlerTable, JobTable } from './context.ts';
import { createDispatcher, type Sender } from './dispatcher.ts';
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
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { createTeamsAdapter } from '../adapters/teams/index.ts';
import type { PlatformAdapter } from './platform.ts';
import { createScheduler } from './scheduler.ts';
import { greet, home } from './personal.ts';
import { loadSecret } from './secret.ts';
import { startServer } from './server.ts';

export const HANDLERS: HandlerTable = {
  ...partnershipHandlers,
  ...statusHandlers,
  ...consultationHandlers,
  ...pulseHandlers,
  ...reviewHandlers,
  ...digestHandlers,
};

export const JOBS: JobTable = { ...consultationJobs, ...pulseJobs, ...reviewJobs, ...digestJobs };

export interface App {
  url: string;
  core: BotCore;
  deps: Deps;
  inbox: Inbox | null;
  stop(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  /** Replaces the real clock (tests); the local adapter otherwise gets a clock /local/tick can move. */
  clock?: Clock;
}

export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? pino({ level: config.logLevel, base: { app: 'partnerbot' } });
  const store = await openStore(config.databaseUrl);
  const clock = opts.clock ?? (config.local ? new SimulatedClock() : systemClock);
  const deps: Deps = {
    store,
    clock,
    ids: randomIds,
    log,
    voterHash: voterHasher(loadSecret(config.secret, config.databaseUrl)),
  };
  log.info({ dialect: store.dialect }, 'database ready (migrations applied)');

  const inbox = config.local ? new Inbox() : null;
  const senders: Partial<Record<'local' | 'slack' | 'teams', Sender>> = inbox ? { local: inbox } : {};
  const dispatcher = createDispatcher(deps, senders, { maxAttempts: config.maxAttempts });
  const scheduler = createScheduler(deps, JOBS);
  const runner = createCommandRunner(deps, HANDLERS);

  const core: BotCore = {
    async runCommand(actor, text) {
      const replies = await runner.runCommand(actor, text);
      void dispatcher.flush().catch((err) => log.error({ err }, 'dispatch failed'));
      return replies;
    },
    async runAction(actor, id, value) {
      const replies = await runner.runAction(actor, id, value);
      void dispatcher.flush().catch((err) => log.error({ err }, 'dispatch failed'));
      return replies;
    },
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
  const adapterContext = { core, deps, db: store.db, dialect: store.dialect, log, host: config.host };
  if (config.slack) adapters.push(await createSlackAdapter(adapterContext, config.slack));
  if (config.teams) adapters.push(await createTeamsAdapter(adapterContext, config.teams));
  for (const a of adapters) senders[a.platform] = a.sender;

  const routers = [
    ...(inbox ? [localRouter(core, inbox, { allowTick: config.local, log })] : []),
    ...adapters.flatMap((a) => (a.router ? [a.router] : [])),
  ];
  const server = await startServer({ host: config.host, port: config.port, routers, healthy: core.healthy, log });
  if (inbox) log.info({ url: `${server.url}/local/commands` }, 'local adapter started: POST /local/commands, GET /local/channels/:channel/messages');
  for (const a of adapters) {
    await a.start?.();
    log.info({ platform: a.platform }, `${a.platform} adapter started`);
  }
  if (config.scheduler) {
    scheduler.start(() => dispatcher.flush().then(() => undefined));
    log.info('scheduler started: every minute');
  }

  let stopped = false;
  return {
    url: server.url,
    core,
    deps,
    inbox,
    async stop() {
      if (stopped) return;
      stopped = true;
      await scheduler.stop();
      await server.close();
      for (const a of adapters) await a.stop?.();
      await dispatcher.flush().catch(() => undefined);
      await store.close();
      log.info('stopped');
    },
  };
}
