// Reading a neutral message back as plain text, for assertions on what people would see.
import { plain, type Message } from '../../src/domain/message.ts';

/** The text of a message's blocks, one line a block: fields as "label: value", bars as "label:count".
 * Buttons, links and dividers show no text. */
export function bodyText(m: Message): string {
  return m.blocks
    .map((bl) => {
      switch (bl.kind) {
        case 'text':
        case 'context':
          return plain(bl.text);
        case 'fields':
          return bl.fields.map((f) => `${f.label}: ${plain(f.value)}`).join('\n');
        case 'choice':
          return plain(bl.label);
        case 'bars':
          return [bl.label, ...bl.bars.map((x) => `${x.label}:${x.count}`)].join('\n');
        default:
          return '';
      }
    })
    .join('\n');
}

/** The heading (if any), then the body text. */
export function messageText(m: Message): string {
  return [m.heading ?? '', bodyText(m)].join('\n');
}
