// The command reference: one usage line per verb (the parser shows it with every error) and the
// help messages built from it. One source, so help and errors never disagree.
import { b, context, para, privateMessage, t, type Block, type Message } from './message.ts';

/** Help topics, in the order the overview lists them. */
export const HELP_TOPICS = [
  'help',
  'home',
  'setup',
  'settings',
  'join',
  'members',
  'role',
  'consult',
  'respond',
  'pulse',
  'results',
  'review',
  'feedback',
  'digest',
  'status',
  'export',
  'forget',
  'delete',
  'audit',
  'link',
] as const;
export type HelpTopic = (typeof HELP_TOPICS)[number];

/** The right form of each command. Several forms of one verb are separate lines. */
export const USAGE: Record<HelpTopic, string> = {
  help: '/partner help [command]',
  home: '/partner home',
  setup: '/partner setup <name> [tz=Europe/London] [region=GB] [purpose="..."]',
  settings:
    '/partner settings key=value ... (keys: k, notice, overload, pulse, pulse-days, digest, workstart, tz, region, purpose, retention)',
  join: '/partner join <public|third|private|community> <organisation> [name="Your Name"]',
  members: '/partner members',
  role: '/partner role <@person> <coordinator|chair|member>[,...]',
  consult: [
    '/partner consult <title> by <date> [to all | to <sectors and @people>] [link <url>] [anyway]',
    '/partner consult list',
  ].join('\n'),
  respond: '/partner respond <consultation-id> done | more-time [date] | not-relevant',
  pulse: [
    '/partner pulse [start] [short|full] [days=N]',
    '/partner pulse close [poll-id]',
    '/partner pulse answer [poll-id] trust=1-5 respect=1-5 openness=1-5 tolerance=1-5 continuity=1-5 framework=1-5 [comment="..."]',
  ].join('\n'),
  results: '/partner results [poll-id] [by sector]',
  review: [
    '/partner review',
    '/partner review set <date>',
    '/partner review pack',
    '/partner review done continue|change|wind-up [next <date>] [note="..."]',
  ].join('\n'),
  feedback: '/partner feedback <consultation-id> <what was done with the responses>',
  digest: '/partner digest',
  status: '/partner status',
  export: ['/partner export me', '/partner export partnership'].join('\n'),
  forget: '/partner forget me [confirm]',
  delete: '/partner delete partnership [confirm]',
  audit: '/partner audit [number of entries]',
  link: ['/partner link', '/partner link <code>'].join('\n'),
};

export const SUMMARY: Record<HelpTopic, string> = {
  help: 'this list, or help on one command',
  home: 'what is waiting for you: consultations to answer, the open poll, the next review',
  setup: 'start a partnership in this channel (you become its coordinator and chair)',
  settings: 'change how the partnership works: anonymity threshold, notice, digest day, timezone, data retention, ...',
  join: 'join the partnership, saying your sector and organisation',
  members: 'who is in the partnership, by sector and organisation',
  role: 'give someone the coordinator, chair or member role',
  consult: 'open a consultation with a deadline, or list the open ones',
  respond: 'answer a consultation: responded, need more time, or not relevant',
  pulse: 'start, answer or close an anonymous pulse poll on how the partnership is working',
  results: 'pulse poll results (shown only when enough people answered)',
  review: 'the next review date, the review pack, and recording a review',
  feedback: 'post "you said, we did" for a consultation that has closed',
  digest: 'what is due, open and overdue, now',
  status: 'a short summary of the partnership',
  export: 'your own data (or, for coordinators, the partnership\'s) as JSON, shown only to you',
  forget: 'erase your personal data from every partnership you are in',
  delete: 'delete this partnership and everything it holds (coordinators)',
  audit: 'who did what as a coordinator or chair, latest first (coordinators)',
  link: 'connect this partnership to a channel or your account on the other platform (Slack ↔ Teams)',
};

const DETAIL: Record<HelpTopic, string> = {
  help: 'Shows every command, or the form and an example of one command.',
  setup: 'Creates a partnership bound to this channel. The timezone decides what "today" and working hours mean; the region decides public holidays.',
  settings:
    'k: anonymity threshold (3 to 50). notice: minimum consultation notice (12w, 84d or a number of days). overload: consultations due within 14 days before a warning. pulse: monthly or off. pulse-days: how long a poll stays open (1 to 30). digest: day and time, e.g. "mon 09:00". workstart: time nudges go out (HH:MM). tz: IANA timezone. region: public-holiday region such as GB or GB-SCT. purpose: what the partnership is for. retention: months poll answers and consultation responses are kept after a poll or consultation closes (1 to 120, default 24, or years like 2y); after that only counts and published results stay.',
  join: 'Sectors: public (also council, government), third (also voluntary, charity), private (also business) and community.',
  members: 'Lists members with their roles, sectors and organisations.',
  role: 'Roles can be combined with commas. Name the person with a mention or @name.',
  consult:
    'Put the title in quotes if it contains "by". Dates can be 2026-12-15, 15 Dec, in 3 weeks or next friday, in the partnership\'s timezone, and must be after today. The audience is all by default, or sectors and @people separated by commas. Add "anyway" to open despite an overload warning.',
  respond: 'The consultation id is in the message that announced it (it looks like c-7k2m9q4x). With more-time you can propose a date.',
  pulse:
    'The short form asks about trust and openness; the full form asks about all six building blocks. Answers are anonymous and scored 1 (strongly disagree) to 5 (strongly agree).',
  results: 'Results show only when at least k people answered; "by sector" shows sectors only when every sector shown has at least k answers.',
  review: 'Recording a review asks the question partnerships forget: continue, change, or wind up?',
  feedback: 'Posted to the partnership\'s channels and sent to everyone who responded. At most 3000 characters.',
  digest: 'The same digest that is posted on the partnership\'s schedule.',
  home: 'Across every partnership you are in: consultations waiting for your answer (with the answer buttons), the open pulse poll if you have not answered it, and the next review date. Only you see it.',
  status: 'Open consultations, open polls and the next review date.',
  export:
    '"export me" gives you, in every partnership you are in: your membership, your consultation answers and which pulse polls you took part in (never what you answered: nothing links an answer to you). "export partnership" gives a coordinator the members, consultations, responses, published poll results and the audit log.',
  forget:
    'Without "confirm" it only says what would be erased. With it, your membership, chat identities and answers go; consultation response counts and anonymous poll results stay, with nothing linking them to you. The only coordinator of a partnership must hand the role over first.',
  delete: 'Without "confirm" it only says what would be deleted. With it, the partnership and all its records go for good, and its channels are told.',
  audit: 'Shows the latest 20 entries unless you say how many (at most 200). Only you see them.',
  link: '"link" gives you a one-time code, valid for an hour. Type "link <code>" on the other platform: in a new channel (coordinators) it joins that channel to the partnership, so announcements, polls and digests reach both; in a direct message it adds your account there to your membership, so you are one person on both.',
};

const EXAMPLES: Record<HelpTopic, string[]> = {
  help: ['/partner help consult'],
  home: ['/partner home'],
  setup: ['/partner setup "Leith Food Partnership" tz=Europe/London region=GB-SCT purpose="Fewer people going hungry in Leith"'],
  settings: ['/partner settings k=5 notice=12w digest="fri 16:30"'],
  join: ['/partner join third "Leith Community Food Bank" name="Ann Smith"'],
  members: ['/partner members'],
  role: ['/partner role @ann coordinator,chair'],
  consult: ['/partner consult "Draft food strategy" by 15 Dec to public, third link https://example.org/strategy', '/partner consult list'],
  respond: ['/partner respond c-7k2m9q4x done', '/partner respond c-7k2m9q4x more-time 2027-01-15'],
  pulse: ['/partner pulse start short days=5', '/partner pulse answer trust=4 openness=3 comment="More notice please"'],
  results: ['/partner results by sector'],
  review: ['/partner review set in 6 months', '/partner review done continue next 2027-06-30 note="Refresh the remit"'],
  feedback: ['/partner feedback c-7k2m9q4x We changed the strategy to add two community food larders.'],
  digest: ['/partner digest'],
  status: ['/partner status'],
  export: ['/partner export me', '/partner export partnership'],
  forget: ['/partner forget me confirm'],
  delete: ['/partner delete partnership confirm'],
  audit: ['/partner audit 50'],
  link: ['/partner link', '/partner link k7m2-q9x4'],
};

export function isHelpTopic(topic: string): topic is HelpTopic {
  return (HELP_TOPICS as readonly string[]).includes(topic);
}

/** The overview (no topic, or one that is not known) or the help for one command. */
export function helpMessage(topic?: string): Message {
  const key = topic?.trim().toLowerCase().replace(/^\/?partner\s+/, '');
  if (key !== undefined && isHelpTopic(key)) return topicHelp(key);
  const blocks: Block[] = [];
  if (key) blocks.push(para(t('There is no help on "'), t(key.slice(0, 40)), t('". These are the commands:')));
  blocks.push({
    kind: 'fields',
    fields: HELP_TOPICS.map((v) => ({ label: `/partner ${v}`, value: [t(SUMMARY[v])] })),
  });
  blocks.push(context('Type /partner help <command> for its form and an example, e.g. /partner help consult.'));
  return privateMessage('partnerbot commands', ...blocks);
}

function topicHelp(topic: HelpTopic): Message {
  return privateMessage(
    `/partner ${topic}`,
    para(t(SUMMARY[topic].replace(/^./, (c) => c.toUpperCase())), t('.')),
    para(b('Usage: '), t(USAGE[topic])),
    para(t(DETAIL[topic])),
    para(b(EXAMPLES[topic].length > 1 ? 'Examples: ' : 'Example: '), t(EXAMPLES[topic].join('\n'))),
    context('Type /partner help for every command.'),
  );
}
