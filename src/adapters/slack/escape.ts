// mrkdwn escaping. Slack's control characters are &, < and > (HTML-escaped, so <!channel>, <@U…> and
// <url|label> typed by a person stay text). Slack has no escape for the formatting characters, so in
// text people wrote each of * _ ~ ` becomes the fallback of a date token whose format is invalid,
// which Slack always shows as plain text (the approach jsx-slack documents).

// C0 controls except tab and newline, DEL, C1, and bidi embeddings/overrides/isolates.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
const FORMATTING = /[*_~`]/g;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A formatting character that Slack shows as itself, never as formatting. */
export function literal(char: string): string {
  return `<!date^0^{_}|${char}>`;
}

/** Text a person wrote: cannot mention, link, quote or format anything. */
export function escapeUserText(text: string): string {
  return escapeMrkdwn(text.replace(CONTROL, ' '))
    .replace(FORMATTING, literal)
    // A ">" at the start of a line would quote it; a soft hyphen in front keeps it text.
    .replace(/^([ \t]*)&gt;/gm, '$1\u00AD&gt;');
}

/** Plain-text fields (headers, button labels): no markup at all, only length and control characters. */
export function cleanPlain(text: string, max: number): string {
  return truncate(text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim(), max) || '…';
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = [...text.slice(0, max - 1)];
  // Do not leave half a surrogate pair.
  return `${cut.join('').replace(/[\uD800-\uDBFF]$/, '')}…`;
}
