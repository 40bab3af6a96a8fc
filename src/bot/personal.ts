// Messages about one person: the induction when they arrive in a channel, and their own view.
import { isAsked } from '../domain/consultation.ts';
import { homeMessage, type HomeSection } from '../domain/home.ts';
import { welcomeMessage } from '../domain/induction.ts';
import type { Message } from '../domain/message.ts';
import type { Repo } from '../domain/ports.ts';
import type { Actor, Deps } from './context.ts';

export async function greet(deps: Deps, actor: Actor): Promise<Message | null> {
  if (!actor.channel) return null;
  const channel = actor.channel;
  return deps.store.transaction(async (tx) => {
    const p = await tx.partnershipByChannel(channel);
    if (!p || p.status !== 'active') return null;
    if (await tx.memberByIdentity(p.id, actor.identity)) return null;
    const [members, consultations, polls] = await Promise.all([tx.members(p.id), tx.consultations(p.id, ['open']), tx.polls(p.id, 'open')]);
    return welcomeMessage(p, { name: actor.displayName }, members, { consultations, openPollId: polls[0]?.id ?? null });
  });
}

async function sectionFor(deps: Deps, tx: Repo, memberId: string, partnershipId: string): Promise<HomeSection | null> {
  const [p, member] = await Promise.all([tx.partnership(partnershipId), tx.member(memberId)]);
  if (!p || !member || p.status !== 'active') return null;
  const section: HomeSection = { partnership: p, waiting: [], answered: [], poll: null };
  for (const c of await tx.consultations(p.id, ['open'])) {
    if (!isAsked(c.audience, member)) continue;
    const answered = (await tx.responses(c.id)).some((r) => r.memberId === member.id);
    (answered ? section.answered : section.waiting).push(c);
  }
  const poll = (await tx.polls(p.id, 'open'))[0];
  if (poll) section.poll = { poll, answered: await tx.hasVoted(poll.id, deps.voterHash(poll.id, member.id)) };
  return section;
}

/** The person's own view, read through `tx` (inside a command's transaction, or its own). */
export async function homeIn(deps: Deps, tx: Repo, actor: Actor, now: Date): Promise<Message> {
  const sections: HomeSection[] = [];
  for (const m of await tx.membersByIdentity(actor.identity)) {
    const s = await sectionFor(deps, tx, m.id, m.partnershipId);
    if (s) sections.push(s);
  }
  return homeMessage(sections, now);
}

export function home(deps: Deps, actor: Actor): Promise<Message> {
  return deps.store.transaction((tx) => homeIn(deps, tx, actor, deps.clock.now()));
}
