// Reading what reached the fake Bot Connector: posts by conversation, their text, their card buttons.
import { expect } from 'vitest';
import { callText, cardsOf, type ConnectorCall } from './bot-connector.ts';
import { CHANNEL } from './teams-activities.ts';

/** Successful posts (send or reply). */
export function posted(calls: ConnectorCall[]): ConnectorCall[] {
  return calls.filter((c) => (c.op === 'send' || c.op === 'reply') && c.status < 300);
}

/** Posts in the partnership's channel (any thread of it). */
export function inChannel(calls: ConnectorCall[]): ConnectorCall[] {
  return posted(calls).filter((c) => c.conversationId?.startsWith(CHANNEL));
}

export function inChat(calls: ConnectorCall[], id: string): ConnectorCall[] {
  return posted(calls).filter((c) => c.conversationId === id);
}

export function callsText(calls: ConnectorCall[]): string {
  return calls.map(callText).join('\n---\n');
}

export interface CardAction {
  title: string;
  verb: string;
  data: any;
}

/** The data of every Action.Execute in some cards, with its fallback checked to be the same Action.Submit. */
export function cardActions(cards: unknown[]): CardAction[] {
  const found: CardAction[] = [];
  const walk = (n: any): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (n.type === 'Action.Execute') {
      expect(n.fallback).toMatchObject({ type: 'Action.Submit', data: n.data });
      found.push({ title: n.title, verb: n.verb, data: n.data });
    }
    Object.values(n).forEach(walk);
  };
  walk(cards);
  return found;
}

/** The Action.Execute buttons in what some calls posted. */
export function actions(calls: ConnectorCall[]): CardAction[] {
  return cardActions(calls.flatMap(cardsOf));
}
