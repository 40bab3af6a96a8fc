// Teams settings from the environment, named as the Bot Framework names them.
// Only bot/config.ts may import this file (it reads TEAMS_CONFIG_DOC while loading): import types only elsewhere.
import { ConfigError } from '../../bot/config.ts';
import { isLoopback } from '../../bot/loopback.ts';

export const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;
export type TeamsAppType = (typeof APP_TYPES)[number];

export interface TeamsConfig {
  /** Empty: authentication is off both ways (Bot Framework Emulator, tests), allowed on loopback only. */
  appId: string;
  appPassword: string;
  tenantId: string;
  appType: TeamsAppType;
}

export const TEAMS_CONFIG_DOC: [string, string, string][] = [
  ['TEAMS_ENABLED', 'true when MICROSOFT_APP_ID is set', 'Serve Microsoft Teams at POST /api/messages. `true` without an app id turns authentication off (Bot Framework Emulator, tests): allowed only when HOST is loopback.'],
  ['MICROSOFT_APP_ID', 'unset', 'The Azure Bot’s Microsoft App ID (for UserAssignedMSI, the managed identity’s client id).'],
  ['MICROSOFT_APP_PASSWORD', 'unset', 'The app’s client secret. Required for MultiTenant and SingleTenant.'],
  ['MICROSOFT_APP_TENANT_ID', 'unset', 'The Microsoft Entra tenant of the app. Required for SingleTenant and UserAssignedMSI.'],
  ['MICROSOFT_APP_TYPE', 'MultiTenant', 'MultiTenant, SingleTenant or UserAssignedMSI, as registered for the Azure Bot.'],
];

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}").`);
}

export function teamsConfig(env: NodeJS.ProcessEnv): TeamsConfig | null {
  const enabled = flag(env, 'TEAMS_ENABLED');
  const appId = env.MICROSOFT_APP_ID?.trim() ?? '';
  const appPassword = env.MICROSOFT_APP_PASSWORD ?? '';
  const tenantId = env.MICROSOFT_APP_TENANT_ID?.trim() ?? '';
  const rawType = env.MICROSOFT_APP_TYPE?.trim() || 'MultiTenant';
  if (enabled === false || (enabled === undefined && !appId)) return null;

  const appType = APP_TYPES.find((t) => t.toLowerCase() === rawType.toLowerCase());
  if (!appType) throw new ConfigError(`MICROSOFT_APP_TYPE must be one of ${APP_TYPES.join(', ')} (got "${rawType}").`);

  if (!appId) {
    if (appPassword) throw new ConfigError('MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is not: set both, or neither for the Bot Framework Emulator.');
    const host = env.HOST?.trim() || '127.0.0.1';
    if (!isLoopback(host)) {
      throw new ConfigError(
        `TEAMS_ENABLED=true without MICROSOFT_APP_ID turns Teams authentication off, which is refused on HOST=${host}: anyone could act as anyone. Set MICROSOFT_APP_ID (and its password), or bind HOST to 127.0.0.1.`,
      );
    }
    return { appId: '', appPassword: '', tenantId, appType };
  }
  if (appType !== 'UserAssignedMSI' && !appPassword) {
    throw new ConfigError(`MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_TYPE=${appType}: give the client secret of app ${appId}.`);
  }
  if (appType !== 'MultiTenant' && !tenantId) {
    throw new ConfigError(`MICROSOFT_APP_TENANT_ID is required with MICROSOFT_APP_TYPE=${appType}.`);
  }
  return { appId, appPassword: appType === 'UserAssignedMSI' ? '' : appPassword, tenantId, appType };
}
