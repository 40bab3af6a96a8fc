// Messages for linking a partnership across platforms.
import { formatLinkCode } from './command-link.ts';
import { b, context, message, para, privateMessage, t, u, type Message } from './message.ts';
import type { Member, Partnership, Platform } from './partnership.ts';

export const LINK_CODE_MINUTES = 60;

const PLATFORM_NAMES: Record<Platform, string> = { slack: 'Slack', teams: 'Microsoft Teams', local: 'the local console' };

export function linkCodeSaved(p: Partnership, me: Member, code: string): Message {
  const shown = formatLinkCode(code);
  const coordinator = me.roles.includes('coordinator');
  const where = [para(t('• in a direct message to me — to connect your account there, so you are one member on both.'))];
  if (coordinator) where.unshift(para(t('• in the channel that should join '), u(p.name), t(' — announcements, polls and digests then reach both;')));
  return privateMessage(
    'Link code',
    para(t('Your code: '), b(shown), t(` (valid for ${LINK_CODE_MINUTES} minutes, once).`)),
    para(t('On the other platform, type '), b(`/partner link ${shown}`), t(':')),
    ...where,
    context(t('Only you can see this. Do not share the code: it acts as you.')),
  );
}

export function linkDone(p: Partnership, member: Member, platform: Platform, done: { channelLinked: boolean; accountLinked: boolean }): Message {
  const parts = [];
  if (done.channelLinked) parts.push(para(t('This channel now belongs to '), { ...u(p.name), bold: true }, t(': announcements, polls, results and digests come here too.')));
  if (done.accountLinked) parts.push(para(t(`Your ${PLATFORM_NAMES[platform]} account is now `), u(member.name), t(' in '), u(p.name), t('.')));
  if (!parts.length) parts.push(para(t('Nothing to do: this channel and account were linked already.')));
  return done.channelLinked ? message('Linked', ...parts) : privateMessage('Linked', ...parts);
}
