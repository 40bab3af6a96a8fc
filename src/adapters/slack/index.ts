// The Slack face of partnerbot. (Placeholder until the Slack adapter lands.)
import type { AdapterContext, PlatformAdapter } from '../../bot/platform.ts';
import type { SlackConfig } from './config.ts';

export async function createSlackAdapter(_ctx: AdapterContext, _config: SlackConfig): Promise<PlatformAdapter> {
  throw new Error('The Slack adapter is not built yet.');
}
