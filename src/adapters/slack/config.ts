// Slack settings from the environment. (Placeholder until the Slack adapter lands: no Slack variables are read.)
export type SlackConfig = Record<string, never>;
export const SLACK_CONFIG_DOC: [string, string, string][] = [];
export function slackConfig(_env: NodeJS.ProcessEnv): SlackConfig | null {
  return null;
}
