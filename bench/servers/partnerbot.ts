// partnerbot as `npm start` runs it (startApp with config from the environment), plus the bench story.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { startApp } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { seedStory } from '../story.ts';
import { fail, serve } from './ipc.ts';

try {
  const config = loadConfig(process.env);
  const app = await startApp(config);
  const story = await seedStory(app.deps.store, Number(process.env.BENCH_PEOPLE ?? 50));
  serve(app.url, { ...story }, async () => {
    await app.stop();
    if (process.env.BENCH_CLEANUP_DIR) rmSync(dirname(process.env.DATABASE_URL ?? ''), { recursive: true, force: true });
  });
} catch (err) {
  fail(err);
}
