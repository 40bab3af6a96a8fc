// Teams settings from the environment. (Placeholder until the Teams adapter lands: no Teams variables are read.)
export type TeamsConfig = Record<string, never>;
export const TEAMS_CONFIG_DOC: [string, string, string][] = [];
export function teamsConfig(_env: NodeJS.ProcessEnv): TeamsConfig | null {
  return null;
}
