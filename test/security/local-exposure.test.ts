// The local adapter lets anyone act as anyone, so it exists only on loopback and never beside a real
// chat platform: refused in config with every kind of chat credential, and not mounted at run time.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import { startApp } from '../../src/bot/app.ts';
import { ConfigError, loadConfig } from '../../src/bot/config.ts';
import { startSlackWorld, type SlackWorld } from '../fakes/slack-world.ts';
import { rowCounts } from './support.ts';

const CHAT: [string, Record<string, string>][] = [
  ['Slack, one workspace', { SLACK_SIGNING_SECRET: 'a-signing-secret-for-tests', SLACK_BOT_TOKEN: 'xoxb-1-2-test' }],
  ['Slack, many workspaces (OAuth)', { SLACK_SIGNING_SECRET: 'a-signing-secret-for-tests', SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'a-state-secret-of-16+' }],
  ['Slack over Socket Mode', { SLACK_BOT_TOKEN: 'xoxb-1-2-test', SLACK_APP_TOKEN: 'xapp-1-test' }],
  ['only a Slack signing secret (an incomplete Slack set-up is an error, never the local adapter)', { SLACK_SIGNING_SECRET: 'a-signing-secret-for-tests' }],
  ['Teams with an app id', { MICROSOFT_APP_ID: '5d3f0000-0000-4000-8000-0000000000ab', MICROSOFT_APP_PASSWORD: 'pw' }],
  ['Teams without authentication (Emulator)', { TEAMS_ENABLED: 'true' }],
];

describe('the local adapter is never on beside a chat platform', () => {
  it.each(CHAT)('is off by default with %s', (_what, env) => {
    let local: boolean | undefined;
    try {
      local = loadConfig(env).local;
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError); // an incomplete set-up: refused outright
      return;
    }
    expect(local).toBe(false);
  });

  it.each(CHAT)('cannot be forced on with %s', (_what, env) => {
    expect(() => loadConfig({ ...env, LOCAL_ADAPTER: 'true' })).toThrow(ConfigError);
  });

  it('is on only when nothing else is configured, or asked for with nothing else', () => {
    expect(loadConfig({}).local).toBe(true);
    expect(loadConfig({ LOCAL_ADAPTER: 'false' }).local).toBe(false);
  });
});

describe('the local adapter listens on loopback only', () => {
  it.each(['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'partnerbot.example.org', '127.0.0.1.example.org', '::ffff:10.0.0.1'])('refuses HOST=%s', (host) => {
    expect(() => loadConfig({ HOST: host })).toThrow(/is refused with the local adapter on/);
    expect(() => loadConfig({ HOST: host, LOCAL_ADAPTER: 'true' })).toThrow(ConfigError);
  });

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('allows HOST=%s', (host) => {
    expect(loadConfig({ HOST: host }).local).toBe(true);
  });

  it('binds the running server to loopback', async () => {
    const app = await startApp(loadConfig({ DATABASE_URL: ':memory:', PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
    try {
      expect(new URL(app.url).hostname).toBe('127.0.0.1');
      expect(app.inbox).not.toBeNull();
    } finally {
      await app.stop();
    }
  });
});

describe('with Slack configured, the local endpoints do not exist', () => {
  let w: SlackWorld;
  beforeAll(async () => {
    w = await startSlackWorld();
  });
  afterAll(async () => {
    await w?.stop();
  });

  it.each([
    ['POST', '/local/commands', { user: 'mallory', channel: 'general', text: '/partner setup "Hijacked"' }],
    ['POST', '/local/actions', { user: 'mallory', action: 'command', value: '/partner setup "Hijacked"' }],
    ['POST', '/local/tick', { now: '2030-01-01T00:00:00Z' }],
    ['GET', '/local/channels/general/messages', undefined],
  ])('%s %s answers 404 and changes nothing', async (method, path, body) => {
    const before = await rowCounts(w.app.deps.store as SqlStore);
    const res = await fetch(`${w.app.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    expect(res.status).toBe(404);
    expect(w.app.inbox).toBeNull();
    expect(await rowCounts(w.app.deps.store as SqlStore)).toEqual(before);
  });
});
