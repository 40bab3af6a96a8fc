// The Slack installation store (Bolt's InstallationStore) in partnerbot's own database, both dialects.
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Kysely } from 'kysely';

export type SlackInstallationsTable = {
  workspace: string;
  team_id: string | null;
  enterprise_id: string | null;
  enterprise_install: number;
  installation: string;
  installed_at: string;
  updated_at: string;
};

export type SlackTables = {
  slack_installations: SlackInstallationsTable;
};

type AnyInstallation = Installation<'v1' | 'v2', boolean>;

/** Our workspace identity for an installation: the enterprise for an org-wide install, else the team. */
export function installationWorkspace(inst: AnyInstallation): string {
  const id = inst.isEnterpriseInstall ? inst.enterprise?.id : inst.team?.id;
  if (!id) throw new Error('A Slack installation without a team or enterprise id cannot be stored.');
  return id;
}

export class SlackInstallations implements InstallationStore {
  private readonly db: Kysely<SlackTables>;

  constructor(db: Kysely<any>, private readonly now: () => Date = () => new Date()) {
    this.db = db.withTables<SlackTables>() as unknown as Kysely<SlackTables>;
  }

  async storeInstallation(inst: AnyInstallation): Promise<void> {
    const at = this.now().toISOString();
    const row = {
      workspace: installationWorkspace(inst),
      team_id: inst.team?.id ?? null,
      enterprise_id: inst.enterprise?.id ?? null,
      enterprise_install: inst.isEnterpriseInstall ? 1 : 0,
      installation: JSON.stringify(inst),
      updated_at: at,
    };
    await this.db
      .insertInto('slack_installations')
      .values({ ...row, installed_at: at })
      .onConflict((oc) => oc.column('workspace').doUpdateSet(row))
      .execute();
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<AnyInstallation> {
    const found = await this.find(query);
    if (!found) throw new Error(`partnerbot is not installed in Slack workspace ${query.enterpriseId ?? ''}${query.teamId ?? ''}.`);
    return found;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    const key = await this.keyFor(query);
    if (key) await this.db.deleteFrom('slack_installations').where('workspace', '=', key).execute();
  }

  /** The installation for one of our workspace identities (team or enterprise id), or null. */
  async byWorkspace(workspace: string): Promise<AnyInstallation | null> {
    const row = await this.db.selectFrom('slack_installations').select('installation').where('workspace', '=', workspace).executeTakeFirst();
    return row ? (JSON.parse(row.installation) as AnyInstallation) : null;
  }

  async botToken(workspace: string): Promise<string | null> {
    return (await this.byWorkspace(workspace))?.bot?.token ?? null;
  }

  private async find(query: InstallationQuery<boolean>): Promise<AnyInstallation | null> {
    const key = await this.keyFor(query);
    return key ? this.byWorkspace(key) : null;
  }

  /** An org-wide install answers for every team of its enterprise. */
  private async keyFor(query: InstallationQuery<boolean>): Promise<string | null> {
    if (query.isEnterpriseInstall && query.enterpriseId) return query.enterpriseId;
    if (query.teamId) {
      const team = await this.db.selectFrom('slack_installations').select('workspace').where('workspace', '=', query.teamId).executeTakeFirst();
      if (team) return team.workspace;
    }
    if (query.enterpriseId) {
      const org = await this.db
        .selectFrom('slack_installations')
        .select('workspace')
        .where('enterprise_id', '=', query.enterpriseId)
        .where('enterprise_install', '=', 1)
        .executeTakeFirst();
      if (org) return org.workspace;
    }
    return null;
  }
}
