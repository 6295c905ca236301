import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import FormattedText from '../../../app/lib/messages/FormattedText.svelte';
import {
  PARSED_KEPT,
  parseMessage,
  safeHref,
  type BlockNode,
  type InlineNode,
} from '../../../app/lib/messages/message-format.ts';
import { messageHtml } from '../../../app/lib/messages/message-html.ts';
import { XSS_FULL_CORPUS } from '../../fixtures/xss-corpus.ts';

function links(blocks: readonly BlockNode[]): string[] {
  const out: string[] = [];
  const inline = (nodes: readonly InlineNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'link') out.push(node.href);
      if ('children' in node) inline(node.children);
    }
  };
  const walk = (nodes: readonly BlockNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'paragraph') inline(node.children);
      else if (node.kind === 'quote') walk(node.children);
      else if (node.kind === 'list') for (const item of node.items) walk(item);
    }
  };
  walk(blocks);
  return out;
}

/** Svelte's server output without its hydration markers, for comparing markup. */
function svelteHtml(body: string): string {
  return render(FormattedText, { props: { body } })
    .body.replace(/<!--[^>]*-->/g, '')
    .replace(/<br\s*\/?>/g, '<br>')
    .replace(/ class="[^"]*svelte-[^"]*"/g, (m) => m.replace(/\s*svelte-[a-z0-9]+/g, ''));
}

const ALLOWED_TAGS = [
  'div',
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'a',
  'ul',
  'ol',
  'li',
  'blockquote',
];
const ALLOWED_ATTRIBUTES = ['class', 'dir', 'href', 'target', 'rel', 'start'];

describe('F12 message formatting', () => {
  it('renders the subset: bold, italics, strikethrough, lists, links, code, quotes', () => {
    expect(
      messageHtml(
        '**Library** and _Bookmarks_ ~~old~~\n\n1. Open `about:preferences`\n2. Click\n\n- one\n- two\n\n> quoted\n\n```\nline <1>\n```',
      ),
    ).toBe(
      '<div class="formatted" dir="auto">' +
        '<p><strong>Library</strong> and <em>Bookmarks</em> <del>old</del></p>' +
        '<ol start="1"><li><p>Open <code>about:preferences</code></p></li><li><p>Click</p></li></ol>' +
        '<ul><li><p>one</p></li><li><p>two</p></li></ul>' +
        '<blockquote><p>quoted</p></blockquote>' +
        '<pre><code>line &lt;1></code></pre></div>',
    );
  });

  it('keeps single line breaks as breaks (chat text, not prose)', () => {
    expect(messageHtml('first\nsecond')).toBe(
      '<div class="formatted" dir="auto"><p>first<br>\nsecond</p></div>',
    );
  });

  it('links bare addresses and markdown links, opening in a new tab without opener', () => {
    const html = messageHtml('see https://support.example.test/kb?a=1&b=2 or support.mozilla.org');
    expect(html).toContain(
      '<a href="https://support.example.test/kb?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">https://support.example.test/kb?a=1&amp;b=2</a>',
    );
    expect(html).toContain(
      '<a href="http://support.mozilla.org/" target="_blank" rel="noopener noreferrer">support.mozilla.org</a>',
    );
    expect(links(parseMessage('[the guide](https://example.test/guide)'))).toEqual([
      'https://example.test/guide',
    ]);
  });

  it('never makes a link of an unsafe scheme, a relative or a protocol-relative address', () => {
    for (const raw of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'java\tscript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'data:image/png;base64,AAAA',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'blob:https://example.test/x',
      '/relative/path',
      '//evil.test/x',
      '#anchor',
    ]) {
      expect(safeHref(raw), raw).toBeNull();
      // A bare https address inside it (blob:https://...) may be linked on its own.
      for (const href of links(parseMessage(`[x](${raw})`)))
        expect(href, raw).toMatch(/^https:\/\//);
    }
    expect(safeHref('mailto:help@example.test')).toBe('mailto:help@example.test');
  });

  it('leaves headings, images, rules, tables and raw HTML as text', () => {
    const html = messageHtml('# Title\n\n![pixel](https://evil.test/p.gif)\n\n<b>hi</b>');
    expect(html).not.toMatch(/<h1|<img|<b>/);
    expect(html).toContain('# Title');
    expect(html).toContain('&lt;b>hi&lt;/b>');
  });

  it('strips bidi controls from what a link shows, isolates them elsewhere', () => {
    const [paragraph] = parseMessage('[invoice\u202Efdp.exe](https://example.test/x)');
    expect(paragraph).toEqual({
      kind: 'paragraph',
      children: [
        {
          kind: 'link',
          href: 'https://example.test/x',
          children: [{ kind: 'text', text: 'invoicefdp.exe' }],
        },
      ],
    });
    expect(messageHtml('plain \u202Etext')).toContain('plain \u202Etext');
  });

  it.each(XSS_FULL_CORPUS.map((text, i) => [i, text] as const))(
    'XSS corpus %i: no element or attribute beyond the subset, only http(s)/mailto links',
    (_i, text) => {
      const html = messageHtml(text);
      // Text escapes every `<`, so each `<` left in the output opens one of our tags.
      for (const [, tag, attributes] of html.matchAll(/<\/?([^\s>]+)([^>]*)>/g)) {
        expect(ALLOWED_TAGS).toContain(tag);
        const rest = (attributes as string).replace(
          /\s([a-z]+)="([^"]*)"/g,
          (_m, name: string, value: string) => {
            expect(ALLOWED_ATTRIBUTES).toContain(name);
            if (name === 'href') expect(value).toMatch(/^(https?:\/\/[^/\s]+\/|mailto:)/);
            return '';
          },
        );
        expect(rest).toBe('');
      }
      for (const href of links(parseMessage(text)))
        expect(href).toMatch(/^(https?:\/\/[^/"\s]+\/|mailto:)/);
    },
  );

  it('bounds nesting whatever a peer sends', () => {
    const deep = parseMessage('>'.repeat(5000) + ' deep');
    let depth = 0;
    let node: BlockNode | undefined = deep[0];
    while (node?.kind === 'quote') {
      depth++;
      node = node.children[0];
    }
    expect(depth).toBeLessThanOrEqual(12);
  });

  it.each([
    '**Library** _x_ ~~y~~ `z`',
    'first line\nsecond **line**\n> quoted\n> on two lines',
    '1. a\n2. b **c**\n\n- d\n\n> e\n> > f',
    '```\n<b>x</b>\n```',
    'https://example.test/a?b=1&c="2" and [l](mailto:a@example.test)',
    ...XSS_FULL_CORPUS,
  ])('the browser component renders exactly what the server renders: %s', (body) => {
    expect(svelteHtml(body)).toBe(messageHtml(body));
  });

  it('F12 a body is parsed once while kept, and a kept tree is the same for the same text (CH-S8)', () => {
    const body = `**kept** ${Math.random()}`;
    const tree = parseMessage(body);
    expect(parseMessage(body)).toBe(tree);
    expect(parseMessage(`${body} `)).not.toBe(tree);
    // Past PARSED_KEPT other bodies it is parsed again, to the same content.
    for (let i = 0; i <= PARSED_KEPT; i++) parseMessage(`filler ${i}`);
    const again = parseMessage(body);
    expect(again).not.toBe(tree);
    expect(again).toEqual(tree);
  });

  it('F12 a body read again is kept while bodies read since are dropped, least recently used first', () => {
    const shown = `**shown** ${Math.random()}`;
    const tree = parseMessage(shown);
    for (let i = 0; i < PARSED_KEPT * 2; i++) {
      parseMessage(`filler ${i} ${Math.random()}`);
      // The shown bubble renders again now and then: it stays kept.
      if (i % (PARSED_KEPT / 2) === 0) expect(parseMessage(shown)).toBe(tree);
    }
    expect(parseMessage(shown)).toBe(tree);
  });
});
