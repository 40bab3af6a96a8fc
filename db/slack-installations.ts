// The Slack installation store (Bolt's InstallationStore) in partnerbot's own database, both dialects.
// Installations hold bot tokens: with an encryption key (PARTNERBOT_ENCRYPTION_KEY) each is stored
// sealed with AES-256-GCM, a fresh IV per write and the workspace as associated data (so a sealed
// record moved to another workspace's row does not open). Records written before the key was set
// stay readable and are sealed on their next save.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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

/** Sealed records: `enc:v1:<iv>.<ciphertext>.<tag>`, each part base64url. Plain JSON starts with "{". */
const SEALED = 'enc:v1:';
const IV_BYTES = 12;
export const ENCRYPTION_KEY_BYTES = 32;

/** A stored installation that cannot be read with the key this process has. */
export class InstallationKeyError extends Error {
  override name = 'InstallationKeyError';
}

function checkKey(key: Buffer): void {
  if (key.length !== ENCRYPTION_KEY_BYTES) throw new InstallationKeyError(`The installation encryption key must be ${ENCRYPTION_KEY_BYTES} bytes, not ${key.length}.`);
}

/** Seals an installation's JSON for the row of `workspace`. */
export function sealInstallation(json: string, key: Buffer, workspace: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(workspace, 'utf8'));
  const data = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return `${SEALED}${[iv, data, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.')}`;
}

/** The JSON of a stored installation, sealed or (written before a key was set) plain. */
export function openInstallation(stored: string, key: Buffer | null, workspace: string): string {
  if (!stored.startsWith(SEALED)) return stored;
  if (!key) throw new InstallationKeyError(`The Slack installation of workspace ${workspace} is encrypted: set PARTNERBOT_ENCRYPTION_KEY to the key it was saved with.`);
  checkKey(key);
  const [iv, data, tag] = stored.slice(SEALED.length).split('.').map((p) => Buffer.from(p, 'base64url'));
  try {
    if (!iv || !data || !tag || iv.length !== IV_BYTES || tag.length !== 16) throw new Error('malformed');
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(workspace, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    throw new InstallationKeyError(
      `The Slack installation of workspace ${workspace} cannot be decrypted: PARTNERBOT_ENCRYPTION_KEY is not the key it was saved with, or the stored record was changed.`,
    );
  }
}

export interface SlackInstallationsOptions {
  /** 32 bytes: seal installations at rest (see sealInstallation); null keeps them as plain JSON. */
  encryptionKey?: Buffer | null;
}

/** Our workspace identity for an installation: the enterprise for an org-wide install, else the team. */
export function installationWorkspace(inst: AnyInstallation): string {
  const id = inst.isEnterpriseInstall ? inst.enterprise?.id : inst.team?.id;
  if (!id) throw new Error('A Slack installation without a team or enterprise id cannot be stored.');
  return id;
}

export class SlackInstallations implements InstallationStore {
  private readonly db: Kysely<SlackTables>;
  private readonly key: Buffer | null;

  constructor(db: Kysely<any>, private readonly now: () => Date = () => new Date(), opts: SlackInstallationsOptions = {}) {
    this.db = db.withTables<SlackTables>() as unknown as Kysely<SlackTables>;
    this.key = opts.encryptionKey ?? null;
    if (this.key) checkKey(this.key);
  }

  async storeInstallation(inst: AnyInstallation): Promise<void> {
    const at = this.now().toISOString();
    const workspace = installationWorkspace(inst);
    const json = JSON.stringify(inst);
    const row = {
      workspace,
      team_id: inst.team?.id ?? null,
      enterprise_id: inst.enterprise?.id ?? null,
      enterprise_install: inst.isEnterpriseInstall ? 1 : 0,
      installation: this.key ? sealInstallation(json, this.key, workspace) : json,
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
    return row ? (JSON.parse(openInstallation(row.installation, this.key, workspace)) as AnyInstallation) : null;
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
