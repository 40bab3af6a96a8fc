// Environments for partnerbot children: a fresh SQLite file in a temporary folder, Slack pointed at
// the fake's Web API, Teams on with authentication off (loopback), logs at info as deployed (to
// /dev/null), and the scheduler on as `npm start` has it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakePlatforms } from './fake-platforms.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './story.ts';

export function partnerbotEnv(fake: FakePlatforms, people: number, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-bench-'));
  return {
    DATABASE_URL: join(dir, 'bench.sqlite'),
    BENCH_CLEANUP_DIR: '1',
    BENCH_PEOPLE: String(people),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: fake.apiUrl,
    TEAMS_ENABLED: 'true',
    NODE_ENV: 'production',
    ...extra,
  };
}

export function bareBoltEnv(fake: FakePlatforms): Record<string, string> {
  return { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.apiUrl, NODE_ENV: 'production' };
}
