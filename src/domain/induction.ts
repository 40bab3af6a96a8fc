// Messages about the partnership itself: the welcome a new member gets (induction), the member list,
// and the coordinator's status view.
import { b, context, message, para, privateMessage, t, u, type Block, type Message } from './message.ts';
import { SECTORS, SECTOR_LABELS, type Member, type Partnership } from './partnership.ts';
import { formatDate } from './time.ts';

export interface OpenItems {
  consultations: { id: string; title: string; deadline: string }[];
  openPollId: string | null;
}

function names(members: Member[]): string {
  return members.map((m) => m.name).join(', ');
}

/** Research: induction of new members is recommended but rarely done; continuity breaks without it. */
/** `member` is the new member, or just a name for someone who arrived in the channel and has not joined yet. */
export function welcomeMessage(p: Partnership, member: Member | { name: string }, members: Member[], open: OpenItems): Message {
  const joined = 'id' in member;
  const chairs = members.filter((m) => m.roles.includes('chair'));
  const coordinators = members.filter((m) => m.roles.includes('coordinator'));
  const blocks: Block[] = [
    joined
      ? para(t('Hello '), u(member.name), t('. You have joined '), { ...u(p.name), bold: true }, t('.'))
      : para(t('Hello '), u(member.name), t('. This channel belongs to '), { ...u(p.name), bold: true }, t(', a partnership that uses partnerbot.')),
  ];
  if (p.purpose) blocks.push(para(b('What it is for: '), u(p.purpose)));
  blocks.push({
    kind: 'fields',
    fields: [
      { label: 'Chair', value: chairs.length ? [u(names(chairs))] : [t('not set yet')] },
      { label: 'Coordinators', value: coordinators.length ? [u(names(coordinators))] : [t('none yet')] },
      { label: 'Members', value: [t(String(members.length))] },
      { label: 'Next review', value: [t(p.reviewDate ? formatDate(p.reviewDate) : 'not set yet')] },
    ],
  });
  if (open.consultations.length) {
    blocks.push(para(b('Open consultations:')));
    for (const c of open.consultations) {
      blocks.push(para(t('• '), u(c.title), t(` — due ${formatDate(c.deadline)} (\`${c.id}\`)`)));
    }
  }
  if (open.openPollId) {
    blocks.push(para(t(`A pulse poll is open (\`${open.openPollId}\`): it takes a minute and is anonymous.`)));
  }
  blocks.push(
    para(
      t('How it works: when you are asked for a response, answer with one click — '),
      b('responded'),
      t(', '),
      b('need more time'),
      t(' or '),
      b('not relevant'),
      t('. Pulse polls are anonymous. After a consultation closes you will hear what was done with what you said.'),
    ),
    context(t('Type `/partner help` for every command.')),
  );
  if (!joined) {
    blocks.splice(1, 0, para(t('To take part, say your sector and organisation: '), b('/partner join <public|third|private|community> <organisation>'), t('.')));
  }
  return message(`Welcome to ${p.name}`, ...blocks);
}

export function membersMessage(p: Partnership, members: Member[]): Message {
  const blocks: Block[] = [];
  for (const sector of SECTORS) {
    const inSector = members.filter((m) => m.sector === sector);
    if (!inSector.length) continue;
    blocks.push(para(b(`${SECTOR_LABELS[sector]} (${inSector.length})`)));
    for (const m of inSector) {
      const roles = m.roles.filter((r) => r !== 'member');
      blocks.push(para(t('• '), u(m.name), t(' — '), u(m.organisation), t(roles.length ? ` (${roles.join(', ')})` : '')));
    }
  }
  if (!blocks.length) blocks.push(para(t('No members yet.')));
  return privateMessage(`Members of ${p.name}`, ...blocks);
}
