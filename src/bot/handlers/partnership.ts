// setup, settings, join, members, role, help: the partnership and who is in it.
import type { SettingsChange } from '../../domain/command-types.ts';
import { nextDigestJob } from '../../domain/digest.ts';
import { UserError } from '../../domain/errors.ts';
import { helpMessage } from '../../domain/help.ts';
import { membersMessage, welcomeMessage } from '../../domain/induction.ts';
import { b, message, para, privateMessage, t, u } from '../../domain/message.ts';
import {
  DEFAULT_RETENTION_MONTHS,
  DEFAULT_SETTINGS,
  SECTOR_LABELS,
  type Member,
  type Partnership,
  type PartnershipSettings,
} from '../../domain/partnership.ts';
import { nextAutoPoll } from '../../domain/pulse.ts';
import type { CommandContext, HandlerTable } from '../context.ts';
import { homeIn } from '../personal.ts';
import { toChannels, toMembers } from '../outbox.ts';
import { requireMember, requirePartnership, resolveUser } from '../resolve.ts';

/** The recurring jobs every active partnership has: the weekly digest and, if on, the monthly poll. */
export async function scheduleRecurring(ctx: CommandContext, p: Partnership): Promise<void> {
  await ctx.tx.cancelJobs('digest', p.id);
  await ctx.tx.cancelJobs('pulse.auto', p.id);
  const jobs = [nextDigestJob(p, ctx.now)];
  if (p.settings.pulseSchedule === 'monthly') jobs.push(nextAutoPoll(p, ctx.now));
  await ctx.tx.scheduleJobs(jobs);
}

async function openItems(ctx: CommandContext, p: Partnership) {
  const consultations = await ctx.tx.consultations(p.id, ['open']);
  const polls = await ctx.tx.polls(p.id, 'open');
  return { consultations, openPollId: polls[0]?.id ?? null };
}

function applySettings(p: Partnership, c: SettingsChange): Partnership {
  const { timezone, region, purpose, retentionMonths, ...settingChanges } = c;
  const defined = Object.fromEntries(Object.entries(settingChanges).filter(([, v]) => v !== undefined));
  const settings: PartnershipSettings = { ...p.settings, ...defined };
  return {
    ...p,
    settings,
    timezone: timezone ?? p.timezone,
    region: region ?? p.region,
    purpose: purpose ?? p.purpose,
    retentionMonths: retentionMonths ?? p.retentionMonths,
  };
}

export const partnershipHandlers: HandlerTable = {
  help: async (cmd) => [helpMessage(cmd.topic)],

  home: async (_cmd, ctx) => [await homeIn(ctx.deps, ctx.tx, ctx.actor, ctx.now)],

  setup: async (cmd, ctx) => {
    const channel = ctx.actor.channel;
    if (!channel) throw new UserError('Run `/partner setup` in the channel the partnership will use, not in a direct message.');
    if (ctx.partnership) throw new UserError(`This channel already belongs to ${ctx.partnership.name}.`);
    const now = ctx.now.toISOString();
    const p: Partnership = {
      id: ctx.deps.ids.next('pt'),
      name: cmd.name,
      purpose: cmd.purpose ?? '',
      timezone: cmd.timezone ?? 'Europe/London',
      region: cmd.region ?? 'GB',
      settings: { ...DEFAULT_SETTINGS },
      reviewDate: null,
      lastReviewAt: null,
      status: 'active',
      createdAt: now,
      retentionMonths: DEFAULT_RETENTION_MONTHS,
    };
    await ctx.tx.insertPartnership(p);
    await ctx.tx.addChannel(p.id, channel);
    // The founder coordinates and chairs until they hand over; sector and organisation come with `join`.
    const founder: Member = {
      id: ctx.deps.ids.next('m'),
      partnershipId: p.id,
      name: ctx.actor.displayName,
      roles: ['coordinator', 'chair'],
      sector: 'public',
      organisation: 'not set yet',
      identities: [ctx.actor.identity],
      joinedAt: now,
    };
    await ctx.tx.insertMember(founder);
    await scheduleRecurring(ctx, p);
    await ctx.tx.audit({ partnershipId: p.id, actorId: founder.id, action: 'setup', detail: p.name, at: now });
    return [
      message(
        `${p.name} is set up in this channel`,
        para(u(founder.name), t(' is coordinator and chair. Partners join with '), b('/partner join <sector> <organisation>'), t('.')),
        para(t(`Weekly digest: ${weekday(p.settings.digestWeekday)} ${p.settings.digestTime} (${p.timezone}). Pulse polls: ${p.settings.pulseSchedule}.`)),
      ),
      privateMessage(undefined, para(t('Tell the partnership your sector and organisation: `/partner join <public|third|private|community> <organisation>`.'))),
    ];
  },

  settings: async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const next = applySettings(p, cmd.changes);
    await ctx.tx.updatePartnership(next);
    const timing = ['digestWeekday', 'digestTime', 'timezone', 'pulseSchedule', 'workStart'] as const;
    if (timing.some((k) => cmd.changes[k] !== undefined)) await scheduleRecurring({ ...ctx, partnership: next }, next);
    // A retention change destroys data when it shortens the period: the entry says what it was before.
    const detail = cmd.changes.retentionMonths === undefined ? cmd.changes : { ...cmd.changes, previousRetentionMonths: p.retentionMonths };
    await ctx.tx.audit({
      partnershipId: p.id, actorId: ctx.member?.id ?? null, action: 'settings', detail: JSON.stringify(detail), at: ctx.now.toISOString(),
    });
    let note = cmd.changes.anonymityK !== undefined
      ? ' The new anonymity threshold applies to polls started from now on; a poll keeps the threshold it opened with.'
      : '';
    if (cmd.changes.retentionMonths !== undefined) note += ` ${retentionNote(p.retentionMonths, next.retentionMonths)}`;
    return [privateMessage('Settings saved', para(t(`Updated: ${Object.keys(cmd.changes).join(', ')}.${note}`)))];
  },

  join: async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const now = ctx.now.toISOString();
    const name = cmd.name ?? ctx.actor.displayName;
    if (ctx.member) {
      const updated = { ...ctx.member, sector: cmd.sector, organisation: cmd.organisation, name };
      await ctx.tx.updateMember(updated);
      return [privateMessage(undefined, para(t('Your details are updated: '), u(updated.organisation), t(`, ${SECTOR_LABELS[updated.sector]}.`)))];
    }
    const member: Member = {
      id: ctx.deps.ids.next('m'),
      partnershipId: p.id,
      name,
      roles: ['member'],
      sector: cmd.sector,
      organisation: cmd.organisation,
      identities: [ctx.actor.identity],
      joinedAt: now,
    };
    await ctx.tx.insertMember(member);
    const members = await ctx.tx.members(p.id);
    await toMembers(ctx.tx, [member], 'welcome', welcomeMessage(p, member, members, await openItems(ctx, p)), ctx.now);
    const joined = message(undefined, para(u(member.name), t(' from '), u(member.organisation), t(` (${SECTOR_LABELS[member.sector]}) joined `), u(p.name), t('.')));
    // The partnership's other channels (e.g. its Slack side when they joined in Teams) hear it too.
    await toChannels(ctx.tx, p.id, `joined:${member.id}`, joined, ctx.now, ctx.actor.channel);
    return [joined];
  },

  members: async (_cmd, ctx) => {
    const p = requirePartnership(ctx);
    return [membersMessage(p, await ctx.tx.members(p.id))];
  },

  role: async (cmd, ctx) => {
    const p = requirePartnership(ctx);
    const target = await resolveUser(cmd.user, ctx);
    const roles = [...new Set(cmd.roles)];
    if (!roles.includes('coordinator') && target.roles.includes('coordinator')) {
      const coordinators = (await ctx.tx.members(p.id)).filter((m) => m.roles.includes('coordinator'));
      if (coordinators.length === 1) throw new UserError(`${target.name} is the only coordinator: give someone else the coordinator role first.`);
    }
    await ctx.tx.updateMember({ ...target, roles });
    const actor = requireMember(ctx);
    await ctx.tx.audit({
      partnershipId: p.id, actorId: actor.id, action: 'role', detail: `${target.id}: ${roles.join(',')}`, at: ctx.now.toISOString(),
    });
    return [message(undefined, para(u(target.name), t(` is now ${roles.join(', ')} of `), u(p.name), t('.')))];
  },
};

/** What a retention change means, said when it is made. */
function retentionNote(before: number, after: number): string {
  const kept = `Poll answers and consultation responses are now kept ${after} months after closing, then reduced to published results and anonymous counts.`;
  if (after < before) return `${kept} Those already older than that are reduced at the next retention run, with the weekly digest; this cannot be undone.`;
  if (after > before) return `${kept} What was already reduced stays reduced.`;
  return kept;
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export function weekday(iso: number): string {
  return WEEKDAYS[iso - 1] ?? `day ${iso}`;
}
