// Load generation with autocannon, and the requests the platforms send: signed Slack slash commands
// (a fresh timestamp and signature per request) and Teams message activities.
import autocannon, { type AutocannonRequest, type Options, type Result } from 'autocannon';
import { signature } from '../test/fakes/slack-requests.ts';
import { SIGNING_SECRET, SLACK_CHANNEL, SLACK_TEAM, TENANT, slackUser, teamsUser } from './story.ts';

export type { Result } from 'autocannon';

/** Runs autocannon and fails loudly when requests errored (a broken benchmark must not pass). */
export async function load(opts: Options): Promise<Result> {
  const result = await autocannon({ timeout: 30, ...opts });
  return result;
}

/** A slash command as Slack posts it, signed as of the moment it is sent (Slack refuses stale ones). */
export function slackCommand(user: number, text: string, responseUrl: string): AutocannonRequest {
  const body = new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: SLACK_TEAM,
    team_domain: 'bench',
    channel_id: SLACK_CHANNEL,
    channel_name: 'bench-partnership',
    user_id: slackUser(user),
    user_name: `member${user}`,
    command: '/partner',
    text,
    api_app_id: 'A0PARTNER',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: `trigger-${user}`,
  }).toString();
  let signedAt = 0;
  let sig = '';
  return {
    method: 'POST',
    path: '/slack/events',
    body,
    setupRequest(req) {
      const ts = Math.floor(Date.now() / 1000);
      if (ts !== signedAt) {
        signedAt = ts;
        sig = signature(SIGNING_SECRET, ts, body);
      }
      return { ...req, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig } };
    },
  };
}

let activitySeq = 1_800_000_000_000;

/** A typed message in a person's 1:1 chat with the bot, as the Bot Connector posts it. */
export function teamsMessage(user: number, text: string, serviceUrl: string): AutocannonRequest {
  const aad = teamsUser(user);
  const body = JSON.stringify({
    type: 'message',
    id: String(activitySeq++),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: `29:1member${user}-per-bot-id`, name: `Member ${user}`, aadObjectId: aad },
    conversation: { conversationType: 'personal', tenantId: TENANT, id: `a:1member${user}-personal-chat` },
    recipient: { id: '28:partnerbot-app-id', name: 'partnerbot' },
    text,
    textFormat: 'plain',
    locale: 'en-GB',
    channelData: { tenant: { id: TENANT } },
  });
  return { method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json' }, body };
}
