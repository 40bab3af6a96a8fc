// The queries of a pulse button press, prepared once (see ./prepared.ts): the poll with its
// partnership and the member pressing (or a member by chat identity), whether a voter has answered,
// and the answer's upsert.
import { prepared } from './prepared.ts';

export const memberByIdentityQuery = prepared(
  (db, value) =>
    db
      .selectFrom('member_identities as known')
      .innerJoin('members', 'members.id', 'known.member_id')
      .innerJoin('member_identities as own', 'own.member_id', 'members.id')
      .selectAll('members')
      .select(['own.platform', 'own.workspace', 'own.user_id'])
      .where('known.platform', '=', value('platform'))
      .where('known.workspace', '=', value('workspace'))
      .where('known.user_id', '=', value('user'))
      .where('known.partnership_id', '=', value('partnershipId'))
      .orderBy('own.position'),
  ['platform', 'workspace', 'user', 'partnershipId'],
);

/** The actor's member row and each of their identities, as a scope query left-joins them
 * (`members`, `own`); db/store.ts's scopedMember reads them back. */
export const ACTOR_COLUMNS = [
  'members.id as member_id',
  'members.name as member_name',
  'members.roles as member_roles',
  'members.sector as member_sector',
  'members.organisation as member_organisation',
  'members.joined_at as member_joined_at',
  'own.platform as own_platform',
  'own.workspace as own_workspace',
  'own.user_id as own_user_id',
] as const;

/** A poll, its partnership and (left-joined) the actor as a member of it with all their
 * identities: one row per identity, or one row without a member. */
export const pollScopeQuery = prepared(
  (db, value) =>
    db
      .selectFrom('polls')
      .innerJoin('partnerships', 'partnerships.id', 'polls.partnership_id')
      .leftJoin('member_identities as known', (join) =>
        join
          .onRef('known.partnership_id', '=', 'polls.partnership_id')
          .on('known.platform', '=', value('platform'))
          .on('known.workspace', '=', value('workspace'))
          .on('known.user_id', '=', value('user')),
      )
      .leftJoin('members', 'members.id', 'known.member_id')
      .leftJoin('member_identities as own', 'own.member_id', 'members.id')
      .selectAll('partnerships')
      .select([
        'polls.id as poll_id',
        'polls.form as poll_form',
        'polls.opened_at as poll_opened_at',
        'polls.closes_at as poll_closes_at',
        'polls.status as poll_status',
        'polls.k as poll_k',
        'polls.created_by as poll_created_by',
        ...ACTOR_COLUMNS,
      ])
      .where('polls.id', '=', value('pollId'))
      .orderBy('own.position'),
  ['pollId', 'platform', 'workspace', 'user'],
);

// No LIMIT: a voter has at most one row per block, and a LIMIT bound as a parameter (as Kysely binds
// it) makes SQLite run this lookup about four times slower (measured with better-sqlite3).
export const hasVotedQuery = prepared(
  (db, value) => db.selectFrom('poll_answers').select('block').where('poll_id', '=', value('pollId')).where('voter_hash', '=', value('voterHash')),
  ['pollId', 'voterHash'],
);

export const upsertAnswerQuery = prepared(
  (db, value) =>
    db
      .insertInto('poll_answers')
      .values({ poll_id: value('pollId'), voter_hash: value('voterHash'), block: value('block'), sector: value('sector'), score: value('score') })
      .onConflict((oc) => oc.columns(['poll_id', 'voter_hash', 'block']).doUpdateSet({ sector: value('sector'), score: value('score') })),
  ['pollId', 'voterHash', 'block', 'sector', 'score'],
);
