// The world the request benchmarks run in: one partnership bound to a Slack channel and a Teams
// channel, `people` members known on both platforms, and one open consultation asking all of them.
// Written through the store (the same calls the handlers make), so the app reads it as its own.
import type { Store } from '../src/domain/ports.ts';
import { consultation, member, partnership } from '../test/support/fixtures.ts';

export const SLACK_TEAM = 'T0BENCH';
export const SLACK_CHANNEL = 'C0BENCH';
export const SIGNING_SECRET = 'bench-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-bench-token';
export const TENANT = '72f988bf-0000-4000-8000-0000000be7c0';
export const TEAMS_CHANNEL = '19:bench0general@thread.tacv2';

export const slackUser = (i: number) => `U0M${i}`;
/** AAD object ids look like GUIDs; the number keeps them distinct. */
export const teamsUser = (i: number) => `8f0c0000-0000-4000-8000-${String(i).padStart(12, '0')}`;

export interface Story {
  partnershipId: string;
  consultationId: string;
  people: number;
}

export async function seedStory(store: Store, people: number, now = new Date()): Promise<Story> {
  const p = partnership({ id: 'pt-bench', name: 'Bench Partnership', createdAt: now.toISOString() });
  const deadline = new Date(now.getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
  const c = consultation({ id: 'c-bench000', partnershipId: p.id, ownerId: 'm-0', openedAt: now.toISOString(), deadline });
  await store.transaction(async (tx) => {
    await tx.insertPartnership(p);
    await tx.addChannel(p.id, { platform: 'slack', workspace: SLACK_TEAM, channel: SLACK_CHANNEL });
    await tx.addChannel(p.id, { platform: 'teams', workspace: TENANT, channel: TEAMS_CHANNEL });
    for (let i = 0; i < people; i++) {
      await tx.insertMember(
        member(`m${i}`, {
          id: `m-${i}`,
          partnershipId: p.id,
          name: `Member ${i}`,
          roles: i === 0 ? ['coordinator', 'chair'] : ['member'],
          sector: (['public', 'third', 'private', 'community'] as const)[i % 4],
          organisation: `Org ${i % 7}`,
          identities: [
            { platform: 'slack', workspace: SLACK_TEAM, user: slackUser(i) },
            { platform: 'teams', workspace: TENANT, user: teamsUser(i) },
          ],
          joinedAt: now.toISOString(),
        }),
      );
    }
    await tx.insertConsultation(c);
  });
  return { partnershipId: p.id, consultationId: c.id, people };
}
