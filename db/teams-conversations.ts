// Teams conversation references and users, for proactive messages: a personal chat is found by
// tenant id + AAD object id, a channel or group chat by its conversation id.
import type { Kysely } from 'kysely';

export type TeamsConversationKind = 'personal' | 'channel' | 'groupChat';

// A type alias (not an interface) so it satisfies withTables' Record constraint.
export type TeamsTables = {
  teams_conversations: {
    conversation_id: string;
    tenant_id: string;
    kind: string;
    team_id: string | null;
    reference: string;
    updated_at: string;
  };
  teams_users: {
    tenant_id: string;
    aad_object_id: string;
    user_id: string;
    name: string | null;
    personal_conversation_id: string | null;
    updated_at: string;
  };
};

export interface StoredConversation {
  conversationId: string;
  tenantId: string;
  kind: TeamsConversationKind;
  /** The team of a channel (Teams' team id, which is also its General channel's id). */
  teamId?: string | null;
  /** The Bot Framework ConversationReference, as stored (the adapter knows its shape). */
  reference: Record<string, unknown>;
}

export interface TeamsUser {
  tenantId: string;
  aadObjectId: string;
  /** The per-bot user id ("29:…"), which a mention needs. */
  userId: string;
  name: string | null;
  personalConversationId: string | null;
}

const KINDS: readonly string[] = ['personal', 'channel', 'groupChat'];

function fromRow(row: TeamsTables['teams_conversations']): StoredConversation | null {
  if (!KINDS.includes(row.kind)) return null;
  return {
    conversationId: row.conversation_id,
    tenantId: row.tenant_id,
    kind: row.kind as TeamsConversationKind,
    teamId: row.team_id,
    reference: JSON.parse(row.reference) as Record<string, unknown>,
  };
}

export class TeamsConversationStore {
  private readonly db: Kysely<TeamsTables>;

  constructor(db: Kysely<any>) {
    this.db = db.withTables<TeamsTables>() as unknown as Kysely<TeamsTables>;
  }

  async saveConversation(c: StoredConversation, at: string): Promise<void> {
    const row = { tenant_id: c.tenantId, kind: c.kind, team_id: c.teamId ?? null, reference: JSON.stringify(c.reference), updated_at: at };
    await this.db
      .insertInto('teams_conversations')
      .values({ conversation_id: c.conversationId, ...row })
      .onConflict((oc) => oc.column('conversation_id').doUpdateSet(row))
      .execute();
  }

  async conversation(conversationId: string): Promise<StoredConversation | null> {
    const row = await this.db.selectFrom('teams_conversations').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** The channels of a team the bot has seen, by conversation id. */
  async teamChannels(teamId: string): Promise<StoredConversation[]> {
    const rows = await this.db
      .selectFrom('teams_conversations')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('kind', '=', 'channel')
      .orderBy('conversation_id')
      .execute();
    return rows.map(fromRow).filter((c): c is StoredConversation => c !== null);
  }

  /** The bot was removed from a conversation: forget it (and any user's link to it). */
  async removeConversation(conversationId: string, at: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('teams_conversations').where('conversation_id', '=', conversationId).execute();
      await tx
        .updateTable('teams_users')
        .set({ personal_conversation_id: null, updated_at: at })
        .where('personal_conversation_id', '=', conversationId)
        .execute();
    });
  }

  /** Records a user seen in an activity. A missing name or personal conversation keeps the stored one. */
  async saveUser(u: { tenantId: string; aadObjectId: string; userId: string; name?: string | null; personalConversationId?: string | null }, at: string): Promise<void> {
    const update: Partial<TeamsTables['teams_users']> = { user_id: u.userId, updated_at: at };
    if (u.name) update.name = u.name;
    if (u.personalConversationId) update.personal_conversation_id = u.personalConversationId;
    await this.db
      .insertInto('teams_users')
      .values({
        tenant_id: u.tenantId,
        aad_object_id: u.aadObjectId,
        user_id: u.userId,
        name: u.name || null,
        personal_conversation_id: u.personalConversationId ?? null,
        updated_at: at,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'aad_object_id']).doUpdateSet(update))
      .execute();
  }

  async user(tenantId: string, aadObjectId: string): Promise<TeamsUser | null> {
    const row = await this.db
      .selectFrom('teams_users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('aad_object_id', '=', aadObjectId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      tenantId: row.tenant_id,
      aadObjectId: row.aad_object_id,
      userId: row.user_id,
      name: row.name,
      personalConversationId: row.personal_conversation_id,
    };
  }

  /** The person's 1:1 chat with the bot, if the bot has one. */
  async personalConversation(tenantId: string, aadObjectId: string): Promise<StoredConversation | null> {
    const u = await this.user(tenantId, aadObjectId);
    return u?.personalConversationId ? this.conversation(u.personalConversationId) : null;
  }
}
