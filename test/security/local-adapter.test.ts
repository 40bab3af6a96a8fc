// The local adapter can act as anyone, so it is off whenever real chat credentials are configured,
// and it listens on loopback by default. (Slack signature and Teams token checks: the adapters' tests.)
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/bot/config.ts';

const SLACK = { SLACK_SIGNING_SECRET: 'a-signing-secret-for-tests', SLACK_BOT_TOKEN: 'xoxb-1-2-test' };

describe('the local adapter', () => {
  it('is on, on loopback, when no chat platform is configured', () => {
    const c = loadConfig({});
    expect(c.local).toBe(true);
    expect(c.host).toBe('127.0.0.1');
  });

  it('is off by default once Slack is configured', () => {
    expect(loadConfig(SLACK).local).toBe(false);
  });

  it('cannot be forced on beside Slack', () => {
    expect(() => loadConfig({ ...SLACK, LOCAL_ADAPTER: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...SLACK, LOCAL_ADAPTER: 'true' })).toThrow(/the local adapter can act as anyone/);
  });
});
