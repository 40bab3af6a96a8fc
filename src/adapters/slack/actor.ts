// Who acted in Slack, as the core knows them: workspace = team id (the enterprise id for an org-wide
// install), user = Slack user id; a direct message with the bot has no channel.
import type { Context } from '@slack/bolt';
import type { Actor } from '../../bot/context.ts';
import type { ChannelRef } from '../../domain/partnership.ts';

export function workspaceOf(context: Context, fallbackTeam?: string | null): string {
  const id = context.isEnterpriseInstall ? context.enterpriseId : (context.teamId ?? fallbackTeam ?? undefined);
  if (!id) throw new Error('A Slack request without a team or enterprise id.');
  return id;
}

/** Direct messages (D…) are not partnership channels. */
export function isDirect(channelId: string | null | undefined, channelName?: string): boolean {
  return !channelId || channelId.startsWith('D') || channelName === 'directmessage';
}

export function slackActor(workspace: string, user: string, displayName: string | undefined, channelId: string | null | undefined, channelName?: string): Actor {
  const channel: ChannelRef | null = isDirect(channelId, channelName) ? null : { platform: 'slack', workspace, channel: channelId! };
  const name = typeof displayName === 'string' ? displayName.trim() : '';
  return { identity: { platform: 'slack', workspace, user }, displayName: name || user, channel };
}
