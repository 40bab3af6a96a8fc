// Teams settings: the Bot Framework's variable names, clear errors, and no unauthenticated Teams off loopback.
import { describe, expect, it } from 'vitest';
// bot/config.ts first: it reads TEAMS_CONFIG_DOC while it loads.
import { ConfigError, loadConfig } from '../../../src/bot/config.ts';
import { TEAMS_CONFIG_DOC, teamsConfig } from '../../../src/adapters/teams/config.ts';
import { isLoopback } from '../../../src/bot/loopback.ts';

const ID = '5d3f0000-0000-4000-8000-0000000000ab';

describe('teamsConfig', () => {
  it('is off unless an app id is set or TEAMS_ENABLED=true', () => {
    expect(teamsConfig({})).toBeNull();
    expect(teamsConfig({ TEAMS_ENABLED: 'false', MICROSOFT_APP_ID: ID, MICROSOFT_APP_PASSWORD: 's' })).toBeNull();
  });

  it('reads a MultiTenant app by default', () => {
    expect(teamsConfig({ MICROSOFT_APP_ID: ID, MICROSOFT_APP_PASSWORD: 's' })).toEqual({ appId: ID, appPassword: 's', tenantId: '', appType: 'MultiTenant' });
  });

  it('requires what each app type needs, naming the variable', () => {
    expect(() => teamsConfig({ MICROSOFT_APP_ID: ID })).toThrow(/MICROSOFT_APP_PASSWORD is required/);
    expect(() => teamsConfig({ MICROSOFT_APP_ID: ID, MICROSOFT_APP_PASSWORD: 's', MICROSOFT_APP_TYPE: 'SingleTenant' })).toThrow(/MICROSOFT_APP_TENANT_ID is required/);
    expect(() => teamsConfig({ MICROSOFT_APP_ID: ID, MICROSOFT_APP_TYPE: 'Sometimes' })).toThrow(/MICROSOFT_APP_TYPE must be one of/);
    expect(() => teamsConfig({ MICROSOFT_APP_PASSWORD: 's', TEAMS_ENABLED: 'true' })).toThrow(/MICROSOFT_APP_ID is not/);
    expect(() => teamsConfig({ TEAMS_ENABLED: 'maybe' })).toThrow(ConfigError);
    expect(teamsConfig({ MICROSOFT_APP_ID: ID, MICROSOFT_APP_TYPE: 'userassignedmsi', MICROSOFT_APP_TENANT_ID: 't' })).toEqual({
      appId: ID,
      appPassword: '',
      tenantId: 't',
      appType: 'UserAssignedMSI',
    });
  });

  it('runs without authentication only on loopback', () => {
    expect(teamsConfig({ TEAMS_ENABLED: 'true' })).toMatchObject({ appId: '' });
    expect(teamsConfig({ TEAMS_ENABLED: 'true', HOST: '::1' })).toMatchObject({ appId: '' });
    expect(() => teamsConfig({ TEAMS_ENABLED: 'true', HOST: '0.0.0.0' })).toThrow(/refused on HOST=0\.0\.0\.0/);
    expect(() => loadConfig({ TEAMS_ENABLED: 'true', HOST: '10.0.0.5' })).toThrow(ConfigError);
  });

  it('turns the local adapter off by default when Teams is on', () => {
    const c = loadConfig({ TEAMS_ENABLED: 'true' });
    expect(c.local).toBe(false);
    expect(c.teams).not.toBeNull();
  });

  it('documents every variable it reads', () => {
    expect(TEAMS_CONFIG_DOC.map(([name]) => name)).toEqual(['TEAMS_ENABLED', 'MICROSOFT_APP_ID', 'MICROSOFT_APP_PASSWORD', 'MICROSOFT_APP_TENANT_ID', 'MICROSOFT_APP_TYPE']);
  });
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (h) => expect(isLoopback(h)).toBe(true));
  it.each(['0.0.0.0', '::', '10.0.0.1', 'example.org', '128.0.0.1'])('%s is not', (h) => expect(isLoopback(h)).toBe(false));
});
