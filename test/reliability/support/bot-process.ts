// The real bot (`node --import tsx src/bot/main.ts`) as a child process, for tests that kill it.
import { spawn, type ChildProcess } from 'node:child_process';

export interface BotProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the server's URL once the bot says it is running. */
  ready(timeoutMs?: number): Promise<string>;
}

export function startBot(env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bot/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = /partnerbot is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) return m[1]!;
        if (child.exitCode !== null) throw new Error(`the bot exited early:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the bot did not start:\n${out}`);
    },
  };
}

/** Slack single-workspace settings pointing the bot at a loopback Web API. */
export function slackEnv(apiUrl: string): Record<string, string> {
  return { SLACK_SIGNING_SECRET: 'fault-test-signing-secret-0123456789', SLACK_BOT_TOKEN: 'xoxb-fault-test-token', SLACK_API_URL: apiUrl };
}
