// The local adapter's HTTP API: type commands and press buttons as any named user, read what was
// posted where, and (in the playground only) move the clock.
import { join } from 'node:path';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod/v4';
import { UserError } from '../../domain/errors.ts';
import { encodeAction, type Action } from '../../domain/message.ts';
import { clientError, JSON_LIMIT } from '../../bot/server.ts';
import type { BotCore } from './bot-port.ts';
import type { Inbox } from './inbox.ts';
import { pressButton, typeCommand, type RunHooks } from './conversation.ts';

/** Local user and channel names: what a Slack handle or channel name could be, nothing that needs escaping. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_TEXT = 4000;

function required(field: string, what: string) {
  return z.string({
    error: (iss) => (iss.input === undefined || iss.input === null ? `"${field}" is missing: give ${what}.` : `"${field}" must be a string.`),
  });
}

function nameField(field: string, what: string) {
  return required(field, what)
    .min(1, `"${field}" is empty: give ${what}.`)
    .max(64, `"${field}" is too long: at most 64 characters.`)
    .regex(NAME_PATTERN, `"${field}" may use only letters, digits, ".", "_" and "-" (and must start with a letter or digit).`);
}

function textField(field: string, what: string) {
  return required(field, what)
    .refine((s) => s.trim().length > 0, `"${field}" is empty: give ${what}.`)
    .refine((s) => s.length <= MAX_TEXT, `"${field}" is too long: at most ${MAX_TEXT} characters.`);
}

const user = nameField('user', 'the name of the person acting, e.g. "alice"');
const channel = nameField('channel', 'a channel name like "general", or leave it out for a direct message').optional();

const CommandBody = z.object({ user, channel, text: textField('text', 'the command, e.g. "/partner help"') });
const ActionBody = z.object({
  user,
  channel,
  action: required('action', 'the action id of the button, e.g. "consult.respond"')
    .min(1, '"action" is empty: give the action id of the button.')
    .max(64, '"action" is too long: at most 64 characters.')
    .regex(/^[a-z][a-z0-9._-]*$/, '"action" must be an action id as shown on a button, e.g. "pulse.answer".'),
  value: textField('value', 'the value of the button, as shown next to it'),
});
/** A button as the playground has it: the neutral action from the message (encoded here, not in the browser). */
const PressBody = z.object({
  user,
  channel,
  button: z.object({ type: z.string().min(1).max(64) }).passthrough(),
});
const TickBody = z.object({
  now: required('now', 'an ISO time, e.g. "2026-12-01T09:30:00Z"').pipe(
    z.iso.datetime({ offset: true, error: '"now" must be an ISO time with a zone, e.g. "2026-12-01T09:30:00Z".' }),
  ),
});

/** Parses a JSON body or answers 400 with the first problem, naming the field. */
function parse<T>(schema: z.ZodType<T>, req: Request, res: Response): T | null {
  if (req.body === undefined) {
    res.status(400).json({ error: 'Send a JSON object with "Content-Type: application/json".' });
    return null;
  }
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    res.status(400).json({ error: 'The request body must be a JSON object.' });
    return null;
  }
  const result = schema.safeParse(req.body);
  if (result.success) return result.data;
  res.status(400).json({ error: result.error.issues[0]?.message ?? 'The request body is not valid.' });
  return null;
}

function param(name: 'user' | 'channel', req: Request, res: Response): string | null {
  const value = req.params[name];
  if (typeof value === 'string' && NAME_PATTERN.test(value)) return value;
  res.status(400).json({ error: `"${name}" in the path may use only letters, digits, ".", "_" and "-" (at most 64).` });
  return null;
}

export interface LocalRouterOptions {
  /** POST /local/tick moves the scheduler's clock: only for the playground, never with real chat credentials. */
  allowTick: boolean;
  log?: Logger;
}

/** The playground page (plain HTML, CSS and JS, no build step): same origin, nothing from elsewhere. */
const PLAYGROUND = join(import.meta.dirname, 'playground');
const PLAYGROUND_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data: http: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function localRouter(core: BotCore, inbox: Inbox, opts: LocalRouterOptions): express.Router {
  const router = express.Router();
  const json = express.json({ limit: JSON_LIMIT });

  // GET /: the web playground for newcomers, driving the /local/* API below.
  router.get('/', (_req, res) => {
    res.set(PLAYGROUND_HEADERS).sendFile(join(PLAYGROUND, 'index.html'));
  });
  router.use('/playground', (_req, res, next) => {
    res.set(PLAYGROUND_HEADERS);
    next();
  }, express.static(PLAYGROUND, { index: false, fallthrough: true }));
  router.get('/local/settings', (_req, res) => {
    res.json({ allowTick: opts.allowTick });
  });
  const hooks: RunHooks = {
    onFlushError: (err) => opts.log?.warn({ err }, 'local: sending the outbox after a command failed; it will be retried'),
  };

  router.post('/local/commands', json, async (req, res) => {
    const body = parse(CommandBody, req, res);
    if (!body) return;
    res.json({ messages: await typeCommand(core, inbox, { user: body.user, channel: body.channel }, body.text, hooks) });
  });

  router.post('/local/actions', json, async (req, res) => {
    const body = parse(ActionBody, req, res);
    if (!body) return;
    const place = { user: body.user, channel: body.channel };
    res.json({ messages: await pressButton(core, inbox, place, body.action, body.value, hooks) });
  });

  router.post('/local/press', json, async (req, res) => {
    const body = parse(PressBody, req, res);
    if (!body) return;
    const encoded = encodeAction(body.button as unknown as Action) as ReturnType<typeof encodeAction> | undefined;
    if (!encoded || typeof encoded.value !== 'string' || !encoded.value) {
      res.status(400).json({ error: `"button.type" must be an action type, e.g. "pulse.answer".` });
      return;
    }
    const place = { user: body.user, channel: body.channel };
    res.json({ messages: await pressButton(core, inbox, place, encoded.id, encoded.value, hooks) });
  });

  router.get('/local/channels/:channel/messages', (req, res) => {
    const name = param('channel', req, res);
    if (name !== null) res.json({ messages: inbox.channel(name) });
  });

  router.get('/local/users/:user/messages', (req, res) => {
    const name = param('user', req, res);
    if (name !== null) res.json({ messages: inbox.user(name) });
  });

  if (opts.allowTick) {
    router.post('/local/tick', json, async (req, res) => {
      const body = parse(TickBody, req, res);
      if (!body) return;
      const now = new Date(body.now);
      const before = inbox.lastSeq();
      await core.tick(now);
      // What the tick delivered locally, so a caller sees its effect without reading every inbox.
      res.json({ ok: true, now: now.toISOString(), messages: inbox.since(before) });
    });
  }

  // Body-parser mistakes are the caller's: JSON 400/413 instead of an HTML page. A UserError that
  // escaped the core is still meant for the person. Anything else goes to the server's 500 handler.
  const errors: ErrorRequestHandler = (err, _req, res, next) => {
    const known = clientError(err);
    if (known) res.status(known.status).json({ error: known.error });
    else if (err instanceof UserError) res.status(400).json({ error: err.message });
    else next(err);
  };
  router.use(errors);
  return router;
}
