// The Teams face of partnerbot. (Placeholder until the Teams adapter lands.)
import type { AdapterContext, PlatformAdapter } from '../../bot/platform.ts';
import type { TeamsConfig } from './config.ts';

export async function createTeamsAdapter(_ctx: AdapterContext, _config: TeamsConfig): Promise<PlatformAdapter> {
  throw new Error('The Teams adapter is not built yet.');
}
