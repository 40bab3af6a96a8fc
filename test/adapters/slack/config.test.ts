// Slack settings: off without Slack variables, one workspace, many workspaces, Socket Mode, and
// errors that name the variable.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/bot/config.ts';
import { slackConfig, SLACK_CONFIG_DOC } from '../../../src/adapters/slack/config.ts';

const single = { SLACK_SIGNING_SECRET: 'signing', SLACK_BOT_TOKEN: 'xoxb-1' };
const oauth = { SLACK_SIGNING_SECRET: 'signing', SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'cs', SLACK_STATE_SECRET: 'state-secret-0123456' };

describe('slackConfig', () => {
  it('is off when no Slack variable is set', () => {
    expect(slackConfig({})).toBeNull();
    expect(slackConfig({ SLACK_API_URL: 'http://127.0.0.1:1/api' })).toBeNull();
  });

  it('reads one workspace, with the API URL ending in a slash', () => {
    expect(slackConfig({ ...single, SLACK_API_URL: 'http://127.0.0.1:9/api' })).toEqual({
      auth: { kind: 'single', botToken: 'xoxb-1' },
      signingSecret: 'signing',
      appToken: null,
      apiUrl: 'http://127.0.0.1:9/api/',
    });
  });

  it('reads an OAuth install into many workspaces', () => {
    expect(slackConfig(oauth)?.auth).toEqual({ kind: 'oauth', clientId: '1.2', clientSecret: 'cs', stateSecret: 'state-secret-0123456' });
  });

  it('uses Socket Mode with an app token, where the signing secret is optional', () => {
    expect(slackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toMatchObject({ appToken: 'xapp-1', signingSecret: null });
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /SLACK_SIGNING_SECRET is missing/],
    [{ SLACK_SIGNING_SECRET: 's' }, /SLACK_BOT_TOKEN is missing/],
    [{ ...single, SLACK_BOT_TOKEN: 'xoxp-user' }, /SLACK_BOT_TOKEN must be a bot token/],
    [{ ...oauth, SLACK_BOT_TOKEN: 'xoxb-1' }, /not both/],
    [{ ...oauth, SLACK_STATE_SECRET: '' }, /SLACK_STATE_SECRET is missing/],
    [{ ...oauth, SLACK_STATE_SECRET: 'short' }, /SLACK_STATE_SECRET must be at least 16/],
    [{ ...oauth, SLACK_CLIENT_SECRET: '' }, /SLACK_CLIENT_SECRET is missing/],
    [{ ...oauth, SLACK_APP_TOKEN: 'xapp-1' }, /one workspace only/],
    [{ ...single, SLACK_APP_TOKEN: 'xoxb-wrong' }, /SLACK_APP_TOKEN must be an app-level token/],
    [{ ...single, SLACK_API_URL: 'not a url' }, /SLACK_API_URL "not a url" is not a URL/],
    [{ ...single, SLACK_API_URL: 'ftp://x/' }, /SLACK_API_URL must start with https/],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => slackConfig(env)).toThrow(message);
    expect(() => slackConfig(env)).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });

  it('turns the local adapter off and documents every variable it reads', () => {
    const config = loadConfig({ ...single, PORT: '0' });
    expect(config.local).toBe(false);
    expect(config.slack?.auth.kind).toBe('single');
    expect(SLACK_CONFIG_DOC.map(([name]) => name)).toEqual([
      'SLACK_SIGNING_SECRET',
      'SLACK_BOT_TOKEN',
      'SLACK_CLIENT_ID',
      'SLACK_CLIENT_SECRET',
      'SLACK_STATE_SECRET',
      'SLACK_APP_TOKEN',
      'SLACK_API_URL',
    ]);
  });
});
