// The playground: act as several people against the local adapter's /local/* API, see what the bot
// posts in a channel and sends each person, press the buttons it renders, and move its clock.
// Plain browser JavaScript, no build. Everything from the bot is put on the page as text nodes
// (never as HTML), so nothing a person typed can run here.

const $ = (id) => document.getElementById(id);
const store = {
  get: (key, fallback) => {
    try {
      return JSON.parse(localStorage.getItem(`partnerbot.${key}`)) ?? fallback;
    } catch {
      return fallback;
    }
  },
  set: (key, value) => localStorage.setItem(`partnerbot.${key}`, JSON.stringify(value)),
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const state = {
  people: store.get('people', ['carol', 'alice', 'bob', 'dan', 'erin', 'frank']),
  me: store.get('me', 'carol'),
  channel: store.get('channel', 'general'),
  dm: false,
  /** Simulated time (ms) after the last tick; null until the clock is moved. */
  now: store.get('now', null),
  /** Replies only the actor saw (private), kept in the page: [{ user, channel|null, message, at }]. */
  private: [],
  /** When each inbox entry (by seq) first appeared here, to merge it in order with private replies. */
  seen: new Map(),
  /** Newest DM seq each person has looked at, for the unread badges. */
  read: store.get('read', {}),
  dmCounts: {},
};
let arrival = 0;

// ---- talking to the bot --------------------------------------------------------------------------

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error ?? `${method} ${path} failed (${res.status})`);
  return json;
}

function place() {
  return state.dm ? { user: state.me } : { user: state.me, channel: state.channel };
}

/** `channel`: where the person acted (null for their direct messages with the bot). */
function keepPrivate(messages, channel) {
  for (const r of messages) {
    if (r.message?.private) state.private.push({ user: r.user, channel, message: r.message, at: ++arrival });
  }
}

async function run(task) {
  showError('');
  document.body.classList.add('busy');
  try {
    await task();
  } catch (err) {
    showError(err.message);
  } finally {
    document.body.classList.remove('busy');
    await refresh();
  }
}

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = !text;
}

async function sendCommand(text) {
  const command = text.startsWith('/') ? text : `/partner ${text}`;
  const { messages } = await api('POST', '/local/commands', { ...place(), text: command });
  await refresh(); // the typed command and public replies first, then what only this person sees
  keepPrivate(messages, state.dm ? null : state.channel);
}

async function press(button, where) {
  const { messages } = await api('POST', '/local/press', { user: state.me, ...(where ? { channel: where } : {}), button: button.action });
  await refresh();
  keepPrivate(messages, where ?? null);
}

async function tick(ms) {
  const { now } = await api('POST', '/local/tick', { now: new Date(ms).toISOString() });
  state.now = Date.parse(now);
  store.set('now', state.now);
}

// ---- the neutral message model as DOM ----------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'data') Object.assign(node.dataset, v);
    // Styles through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    else if (k === 'style') Object.assign(node.style, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

function spans(text) {
  return text.map((s) => (s.bold ? el('strong', {}, s.text) : document.createTextNode(s.text)));
}

function webUrl(url) {
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Charts are drawn at twice their size for sharpness; show them at their natural size. */
function halfSize(ev) {
  const img = ev.target;
  img.style.width = `${img.naturalWidth / 2}px`;
}

function buttonsEl(buttons, where) {
  return el(
    'div',
    { class: 'actions' },
    buttons.map((b) =>
      el('button', { type: 'button', class: `action ${b.style ?? ''}`, data: { type: b.action.type, label: b.label, ...(b.action.block ? { block: b.action.block } : {}) }, onclick: () => run(() => press(b, where)) }, b.label),
    ),
  );
}

function blockEl(bl, where) {
  switch (bl.kind) {
    case 'text':
      return el('p', {}, spans(bl.text));
    case 'context':
      return el('p', { class: 'context' }, spans(bl.text));
    case 'fields':
      return el('dl', {}, bl.fields.map((f) => [el('dt', {}, f.label), el('dd', {}, spans(f.value))]));
    case 'buttons':
      return buttonsEl(bl.buttons, where);
    case 'choice':
      return el('div', { class: 'choice' }, el('p', {}, spans(bl.label)), buttonsEl(bl.buttons, where));
    case 'link': {
      const href = webUrl(bl.url);
      return el('p', {}, href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, bl.label) : `${bl.label}: ${bl.url}`);
    }
    case 'bars': {
      const max = Math.max(1, ...bl.bars.map((x) => x.count));
      return el('div', {}, el('p', { class: 'context' }, bl.label),
        el('div', { class: 'bars' }, bl.bars.map((x) => [el('span', {}, `${x.label}`), el('span', {}, el('span', { class: 'bar', style: { display: 'inline-block', width: `${(80 * x.count) / max}%` } }), ` ${x.count}`)])));
    }
    case 'image': {
      const src = webUrl(bl.url);
      if (!src) return el('p', { class: 'context' }, bl.alt);
      return el('figure', {}, el('a', { href: src, target: '_blank', rel: 'noopener noreferrer' }, el('img', { class: 'chart', src, alt: bl.alt, onload: halfSize })), el('figcaption', {}, bl.title ?? ''));
    }
    case 'file': {
      const href = bl.url ? webUrl(bl.url) : `data:${bl.mime};charset=utf-8,${encodeURIComponent(bl.content ?? '')}`;
      return el('p', {}, el('a', { class: 'file', href, download: bl.name, target: '_blank', rel: 'noopener noreferrer' }, `Download ${bl.title ?? bl.name} (${bl.name})`));
    }
    case 'divider':
      return el('hr');
    default:
      return el('p', { class: 'context' }, `(a "${bl.kind}" block this page cannot show yet)`);
  }
}

function messageEl({ who, message, text, typed, isPrivate, where }) {
  const li = el('li', { class: `msg${typed ? ' typed' : ''}${isPrivate ? ' private' : ''}` }, el('div', { class: 'who' }, who));
  if (message) {
    if (message.heading) li.append(el('h3', {}, message.heading));
    for (const bl of message.blocks) li.append(blockEl(bl, where));
  } else li.append(el('p', {}, text));
  return li;
}

// ---- refreshing what is shown ---------------------------------------------------------------------

function ordered(entries, privates) {
  for (const e of entries) if (!state.seen.has(e.seq)) state.seen.set(e.seq, ++arrival);
  const all = [...entries.map((e) => ({ at: state.seen.get(e.seq), entry: e })), ...privates.map((p) => ({ at: p.at, priv: p }))];
  return all.sort((a, b) => a.at - b.at);
}

/** Replaces a list's items when what it shows changed (so images do not reload every few seconds). */
function fill(list, signature, items) {
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  const atBottom = list.parentElement.scrollHeight - list.parentElement.scrollTop - list.parentElement.clientHeight < 40;
  list.replaceChildren(...items);
  if (atBottom) list.parentElement.scrollTop = list.parentElement.scrollHeight;
}

async function refresh() {
  const [channel, dms] = await Promise.all([
    api('GET', `/local/channels/${encodeURIComponent(state.channel)}/messages`).catch(() => ({ messages: [] })),
    api('GET', `/local/users/${encodeURIComponent(state.me)}/messages`).catch(() => ({ messages: [] })),
  ]);
  const mine = (p, inChannel) => p.user === state.me && (inChannel ? p.channel === state.channel : p.channel === null);
  const sig = (entries, privates) => `${state.me}|${entries.map((e) => e.seq).join(',')}|${privates.length}`;
  const channelPrivate = state.private.filter((p) => mine(p, true));
  const dmPrivate = state.private.filter((p) => mine(p, false));
  fill($('channel-log'), `${state.channel}|${sig(channel.messages, channelPrivate)}`, ordered(channel.messages, channelPrivate).map(({ entry, priv }) =>
    priv
      ? messageEl({ who: `partnerbot · only ${state.me} can see this`, message: priv.message, isPrivate: true, where: state.channel })
      : messageEl({ who: entry.from ? entry.from : 'partnerbot', message: entry.message, text: entry.text, typed: entry.from !== null, where: state.channel }),
  ));
  fill($('dm-log'), sig(dms.messages, dmPrivate), ordered(dms.messages, dmPrivate).map(({ entry, priv }) =>
    priv
      ? messageEl({ who: `partnerbot · only ${state.me} can see this`, message: priv.message, isPrivate: true })
      : messageEl({ who: entry.from ? `${entry.from} → partnerbot` : `partnerbot → ${state.me}`, message: entry.message, text: entry.text, typed: entry.from !== null }),
  ));
  state.read[state.me] = Math.max(0, ...dms.messages.map((e) => e.seq));
  store.set('read', state.read);
  await countUnread();
  renderChrome();
}

async function countUnread() {
  await Promise.all(state.people.filter((p) => p !== state.me).map(async (p) => {
    const { messages } = await api('GET', `/local/users/${encodeURIComponent(p)}/messages`).catch(() => ({ messages: [] }));
    state.dmCounts[p] = messages.filter((e) => e.from === null && e.seq > (state.read[p] ?? 0)).length;
  }));
}

function renderChrome() {
  $('people').replaceChildren(...state.people.map((p) =>
    el('button', { type: 'button', role: 'radio', class: 'person', 'aria-checked': String(p === state.me), data: { person: p }, onclick: () => choose(p) },
      p, state.dmCounts[p] && p !== state.me ? el('span', { class: 'badge', title: 'unread direct messages' }, String(state.dmCounts[p])) : null),
  ));
  $('channel-title').textContent = `#${state.channel}`;
  $('dm-title').textContent = `${state.me}'s direct messages with partnerbot`;
  $('composer-label').textContent = `${state.me} ${state.dm ? 'to partnerbot' : `in #${state.channel}`}`;
  $('clock-now').textContent = state.now === null ? 'real time (not moved yet)' : new Date(state.now).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function choose(person) {
  state.me = person;
  store.set('me', person);
  void refresh();
}

// ---- wiring --------------------------------------------------------------------------------------

$('composer').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = $('command').value.trim();
  if (!text) return;
  $('command').value = '';
  void run(() => sendCommand(text));
});

$('add-person').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const name = $('new-person').value.trim();
  if (!NAME.test(name)) return showError(`"${name}" cannot be a name here: letters, digits, ".", "_" and "-".`);
  if (!state.people.includes(name)) state.people.push(name);
  store.set('people', state.people);
  $('new-person').value = '';
  choose(name);
});

$('where').addEventListener('change', () => {
  state.dm = $('where').value === 'dm';
  renderChrome();
});

$('channel').value = state.channel;
$('channel').addEventListener('change', () => {
  const name = $('channel').value.trim().replace(/^#/, '');
  if (!NAME.test(name)) return showError(`"${name}" cannot be a channel name here.`);
  state.channel = name;
  store.set('channel', name);
  void refresh();
});

for (const b of document.querySelectorAll('[data-step]')) {
  b.addEventListener('click', () => run(() => tick((state.now ?? Date.now()) + Number(b.dataset.step))));
}
$('clock-go').addEventListener('click', () => {
  const at = Date.parse($('clock-at').value);
  if (Number.isNaN(at)) return showError('Pick a date and time to move the clock to.');
  void run(() => tick(at));
});

for (const b of document.querySelectorAll('[data-fill]')) {
  b.addEventListener('click', () => {
    $('command').value = b.dataset.fill;
    $('command').focus();
  });
}

const settings = await api('GET', '/local/settings').catch(() => ({ allowTick: false }));
if (!settings.allowTick) for (const b of document.querySelectorAll('.clock button, .clock input')) b.disabled = true;
renderChrome();
await refresh();
setInterval(() => void refresh().catch(() => undefined), 3000);
document.body.dataset.ready = 'true';
