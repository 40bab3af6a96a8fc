// Reading what arrived at the fake: the mrkdwn and plain text of Block Kit blocks, and their buttons.
import type { SlackCall } from './slack-api.ts';

export interface SlackButton {
  actionId: string;
  value: string;
  label: string;
  url?: string;
}

type Obj = Record<string, any>;

function textOf(t: Obj | undefined): string {
  return typeof t?.text === 'string' ? t.text : '';
}

/** Every piece of text in the blocks, one line per text object. */
export function blocksText(blocks: Obj[] | undefined): string {
  const out: string[] = [];
  for (const b of blocks ?? []) {
    if (b.text) out.push(textOf(b.text));
    for (const f of b.fields ?? []) out.push(textOf(f));
    for (const e of b.elements ?? []) out.push(e.type === 'button' ? `[${textOf(e.text)}]` : textOf(e));
    if (b.label) out.push(textOf(b.label));
  }
  return out.join('\n');
}

export function callText(call: SlackCall): string {
  return blocksText(call.args.blocks ?? call.args.view?.blocks);
}

export function callsText(calls: SlackCall[]): string {
  return calls.map(callText).join('\n----\n');
}

export function buttonsIn(calls: SlackCall[]): SlackButton[] {
  return calls.flatMap((c) =>
    ((c.args.blocks ?? c.args.view?.blocks ?? []) as Obj[]).flatMap((b) =>
      b.type === 'actions' ? (b.elements as Obj[]).filter((e) => e.type === 'button').map((e) => ({ actionId: e.action_id, value: e.value, label: textOf(e.text), url: e.url })) : [],
    ),
  );
}

export function findButton(calls: SlackCall[], predicate: (b: SlackButton) => boolean, what: string): SlackButton {
  const found = buttonsIn(calls).find(predicate);
  if (!found) throw new Error(`no ${what} button in:\n${callsText(calls)}`);
  return found;
}
