// What the Slack app registers and needs, in one place: manifest/slack/manifest.yaml must declare
// exactly these (test/adapters/slack/manifest.test.ts checks both ways).

export const SLASH_COMMAND = '/partner';
export const EVENTS_PATH = '/slack/events';
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

/** Events the app listens to. */
export const BOT_EVENTS = ['app_home_opened', 'member_joined_channel'] as const;

/** Web API methods the app calls, with the bot scope each needs (null: none). */
export const METHOD_SCOPES: Record<string, string | null> = {
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'users.info': 'users:read',
  // Charts and documents (src/adapters/slack/files.ts): the external upload flow, into a DM opened for it.
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'conversations.open': 'im:write',
  'views.open': null,
  'views.publish': null,
  'auth.test': null,
};

/** Scopes for the slash command and the events (member_joined_channel in public and private channels). */
export const COMMAND_AND_EVENT_SCOPES = ['commands', 'channels:read', 'groups:read'] as const;

export const BOT_SCOPES: string[] = [
  ...new Set([...Object.values(METHOD_SCOPES).filter((s): s is string => s !== null), ...COMMAND_AND_EVENT_SCOPES]),
].sort();
