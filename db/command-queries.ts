// Queries of the command path, prepared once (see ./prepared.ts): the partnership a channel belongs
// to, and answering a consultation (`respond`, typed or pressed): the consultation with its
// partnership and the member answering, and the answer's upsert.
import { ACTOR_COLUMNS } from './hot-queries.ts';
import { prepared } from './prepared.ts';

export const partnershipByChannelQuery = prepared(
  (db, value) =>
    db
      .selectFrom('channels')
      .innerJoin('partnerships', 'partnerships.id', 'channels.partnership_id')
      .selectAll('partnerships')
      .where('channels.platform', '=', value('platform'))
      .where('channels.workspace', '=', value('workspace'))
      .where('channels.channel', '=', value('channel')),
  ['platform', 'workspace', 'channel'],
);

/** A consultation, its partnership and (left-joined) the actor as a member of it with all their
 * identities: one row per identity, or one row without a member. */
export const consultationScopeQuery = prepared(
  (db, value) =>
    db
      .selectFrom('consultations')
      .innerJoin('partnerships', 'partnerships.id', 'consultations.partnership_id')
      .leftJoin('member_identities as known', (join) =>
        join
          .onRef('known.partnership_id', '=', 'consultations.partnership_id')
          .on('known.platform', '=', value('platform'))
          .on('known.workspace', '=', value('workspace'))
          .on('known.user_id', '=', value('user')),
      )
      .leftJoin('members', 'members.id', 'known.member_id')
      .leftJoin('member_identities as own', 'own.member_id', 'members.id')
      .selectAll('partnerships')
      .select([
        'consultations.id as c_id',
        'consultations.title as c_title',
        'consultations.link as c_link',
        'consultations.owner_id as c_owner_id',
        'consultations.opened_at as c_opened_at',
        'consultations.deadline as c_deadline',
        'consultations.audience as c_audience',
        'consultations.status as c_status',
        'consultations.feedback as c_feedback',
        'consultations.feedback_at as c_feedback_at',
        ...ACTOR_COLUMNS,
      ])
      .where('consultations.id', '=', value('consultationId'))
      .orderBy('own.position'),
  ['consultationId', 'platform', 'workspace', 'user'],
);

export const upsertResponseQuery = prepared(
  (db, value) =>
    db
      .insertInto('consultation_responses')
      .values({ consultation_id: value('consultationId'), member_id: value('memberId'), kind: value('kind'), proposed_date: value('proposedDate'), at: value('at') })
      .onConflict((oc) => oc.columns(['consultation_id', 'member_id']).doUpdateSet({ kind: value('kind'), proposed_date: value('proposedDate'), at: value('at') })),
  ['consultationId', 'memberId', 'kind', 'proposedDate', 'at'],
);
