// The local adapter's text rendering of pictures and files: the link, and what the picture shows in words.
import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/adapters/local/render.ts';

describe('local text rendering of images and files', () => {
  it('shows an image as its title, link and alt text', () => {
    const out = renderText({ blocks: [{ kind: 'image', url: 'http://127.0.0.1:3978/media/abc.png', alt: 'Trust 3 → 4', title: 'Pulse trend' }] });
    expect(out.split('\n')).toEqual(['[image] Pulse trend: http://127.0.0.1:3978/media/abc.png', '(Trust 3 → 4)']);
  });

  it('shows a linked file with its name and type, and inline content as it is', () => {
    const linked = renderText({ blocks: [{ kind: 'file', url: 'http://x/media/t.pdf', name: 'review-pack.pdf', mime: 'application/pdf', title: 'Review pack' }] });
    expect(linked).toBe('[file] Review pack (review-pack.pdf, application/pdf): http://x/media/t.pdf');
    const inline = renderText({ blocks: [{ kind: 'file', content: '{\n  "a": "x\u001b[2J"\n}', name: 'me.json', mime: 'application/json' }] });
    expect(inline.split('\n')).toEqual(['[file] me.json (me.json, application/json):', '{', '  "a": "x [2J"', '}']);
  });
});
