/**
 * F12: a chat message's text, read as a small subset of Markdown (bold, italics,
 * strikethrough, lists, links, inline and block code, quotes) and turned into a
 * tree of a few known node kinds. Every view (widget, console, monitor view, and
 * on the server the archive and the transcript email) renders this one tree, so a
 * message looks the same everywhere, and none of them ever sees markup a peer
 * wrote: the tree has no raw HTML node, no image node and no attribute but a
 * checked link address.
 *
 * Parsing is markdown-it's (pinned), with raw HTML off, linkify on, and the rules
 * outside the subset disabled (a `# title` or a `![picture](url)` stays text, so
 * no message makes a browser fetch anything). Pure TypeScript, no DOM: it runs in
 * Node as well as in the browser.
 */
import markdownIt, { type MarkdownIt, type Token } from 'markdown-it';

export type InlineNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'break' }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong' | 'em' | 'del'; readonly children: readonly InlineNode[] }
  | { readonly kind: 'link'; readonly href: string; readonly children: readonly InlineNode[] };

export type BlockNode =
  | { readonly kind: 'paragraph'; readonly children: readonly InlineNode[] }
  | { readonly kind: 'quote'; readonly children: readonly BlockNode[] }
  | {
      readonly kind: 'list';
      readonly ordered: boolean;
      readonly start: number;
      readonly items: readonly ListItem[];
    }
  | { readonly kind: 'codeblock'; readonly text: string };

/** A list item holds blocks; in a tight list its text comes as one paragraph. */
export type ListItem = readonly BlockNode[];

/** The only schemes a message may link to. Anything else (javascript:, data:, vbscript:,
 * file:, blob:, relative or protocol-relative addresses) stays text. */
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** Bidi embedding, override and isolate controls (U+202A-202E, U+2066-2069). Kept in a
 * message's text (its bubble isolates them) but never in what a link shows, so a link
 * reads in the order of its address. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** Deepest nesting markdown-it builds (quotes in lists in quotes...): past it the rest is
 * text, which keeps every renderer's recursion short whatever a peer sends. */
const MAX_NESTING = 12;

/**
 * The address a link may point to, normalised by the URL parser (which also strips the
 * tabs and newlines that `java\tscript:` hides behind), or null when it is not a
 * link we allow.
 */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!LINK_SCHEMES.has(url.protocol)) return null;
  if (url.protocol !== 'mailto:' && url.hostname === '') return null;
  return url.href;
}

function createParser(): MarkdownIt {
  const md = markdownIt('default', {
    html: false,
    linkify: true,
    breaks: true,
    typographer: false,
    maxNesting: MAX_NESTING,
  });
  md.disable([
    'heading',
    'lheading',
    'hr',
    'table',
    'reference',
    'html_block',
    'html_inline',
    'image',
  ]);
  // Helpers paste `support.mozilla.org/kb/...` without a scheme: link those too
  // (linkify-it 6 stopped doing so by default). Bare IPs stay text: version numbers.
  md.linkify.set({ fuzzyLink: true, fuzzyIP: false });
  md.validateLink = (url: string) => safeHref(url) !== null;
  return md;
}

const parser = createParser();

/** How many parsed bodies are kept: the bubbles a console renders of a dozen chats or so
 * (a log renders what fills it and two entries more, log-fit.ts; "Show earlier" a page
 * more), not every message the page has shown: 2,000 kept trees were about 0.4 MB of a
 * console's heap once it had shown a few long chats (benchmark S8). */
export const PARSED_KEPT = 500;
/** Parsed trees by body, least recently used first. A bubble re-renders whenever its
 * chat's view changes (a new message, a read mark, presence) with the same text, and
 * again when its chat is switched to: parsing it again each time was a good part of a
 * chat switch (benchmark S8). A tree is never changed. */
const parsed = new Map<string, readonly BlockNode[]>();

/** Parses a message body into the tree every view renders. Never throws. */
export function parseMessage(body: string): readonly BlockNode[] {
  const kept = parsed.get(body);
  if (kept !== undefined) {
    // The most recently used last: what the shown windows keep using stays.
    parsed.delete(body);
    parsed.set(body, kept);
    return kept;
  }
  const tree = new BlockBuilder(parser.parse(body, {})).build();
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  parsed.set(body, tree);
  return tree;
}

type Frame =
  | { readonly kind: 'root'; readonly blocks: BlockNode[] }
  | { readonly kind: 'quote'; readonly blocks: BlockNode[] }
  | {
      readonly kind: 'list';
      readonly ordered: boolean;
      readonly start: number;
      readonly items: ListItem[];
    }
  | { readonly kind: 'item'; readonly blocks: BlockNode[] };

/** Walks markdown-it's flat block tokens (open/close pairs) into nested blocks. */
class BlockBuilder {
  private readonly stack: Frame[] = [{ kind: 'root', blocks: [] }];

  constructor(private readonly tokens: Token[]) {}

  build(): readonly BlockNode[] {
    for (const token of this.tokens) this.take(token);
    // A well-formed token stream closes everything it opens; unwind anyway.
    while (this.stack.length > 1) this.close();
    return (this.stack[0] as { blocks: BlockNode[] }).blocks;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1] as Frame;
  }

  private add(block: BlockNode): void {
    const top = this.top();
    if (top.kind === 'list') {
      // Blocks never come straight inside a list; keep them rather than lose text.
      top.items.push([block]);
    } else {
      top.blocks.push(block);
    }
  }

  private close(): void {
    const frame = this.stack.pop();
    if (frame === undefined || frame.kind === 'root') return;
    if (frame.kind === 'item') {
      const list = this.top();
      if (list.kind === 'list') list.items.push(frame.blocks);
      else for (const block of frame.blocks) this.add(block);
    } else if (frame.kind === 'quote') {
      this.add({ kind: 'quote', children: frame.blocks });
    } else {
      this.add({ kind: 'list', ordered: frame.ordered, start: frame.start, items: frame.items });
    }
  }

  private take(token: Token): void {
    switch (token.type) {
      case 'blockquote_open':
        this.stack.push({ kind: 'quote', blocks: [] });
        return;
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const ordered = token.type === 'ordered_list_open';
        const start = Number(token.attrGet('start') ?? 1);
        this.stack.push({
          kind: 'list',
          ordered,
          start: Number.isSafeInteger(start) && start >= 0 ? start : 1,
          items: [],
        });
        return;
      }
      case 'list_item_open':
        this.stack.push({ kind: 'item', blocks: [] });
        return;
      case 'blockquote_close':
      case 'bullet_list_close':
      case 'ordered_list_close':
      case 'list_item_close':
        this.close();
        return;
      case 'paragraph_open':
      case 'paragraph_close':
        return;
      case 'inline':
        this.add({ kind: 'paragraph', children: inlineNodes(token.children ?? []) });
        return;
      case 'code_block':
      case 'fence':
        this.add({ kind: 'codeblock', text: token.content.replace(/\n$/, '') });
        return;
      default:
        // Rules outside the subset are disabled; should one slip through, its text stays.
        if (token.content !== '')
          this.add({ kind: 'paragraph', children: [{ kind: 'text', text: token.content }] });
    }
  }
}

type InlineFrame = {
  readonly kind: 'strong' | 'em' | 'del' | 'link' | 'root';
  readonly href: string;
  readonly children: InlineNode[];
};

const INLINE_OPEN: Record<string, 'strong' | 'em' | 'del' | 'link'> = {
  strong_open: 'strong',
  em_open: 'em',
  s_open: 'del',
  link_open: 'link',
};
const INLINE_CLOSE = new Set(['strong_close', 'em_close', 's_close', 'link_close']);

function inlineNodes(tokens: Token[]): InlineNode[] {
  const stack: InlineFrame[] = [{ kind: 'root', href: '', children: [] }];
  const top = () => stack[stack.length - 1] as InlineFrame;
  const push = (node: InlineNode) => {
    const children = top().children;
    const last = children[children.length - 1];
    // markdown-it splits text at every character a rule looked at; join it back.
    if (node.kind === 'text' && last?.kind === 'text') {
      children[children.length - 1] = { kind: 'text', text: last.text + node.text };
    } else {
      children.push(node);
    }
  };
  const closeTop = () => {
    const frame = stack.pop() as InlineFrame;
    if (frame.kind === 'link') {
      const href = safeHref(frame.href);
      if (href === null) for (const child of frame.children) push(child);
      else push({ kind: 'link', href, children: withoutBidiControls(frame.children) });
    } else if (frame.kind !== 'root') {
      push({ kind: frame.kind, children: frame.children });
    }
  };

  for (const token of tokens) {
    const opens = INLINE_OPEN[token.type];
    if (opens !== undefined) {
      stack.push({ kind: opens, href: String(token.attrGet('href') ?? ''), children: [] });
    } else if (INLINE_CLOSE.has(token.type)) {
      if (stack.length > 1) closeTop();
    } else if (token.type === 'softbreak' || token.type === 'hardbreak') {
      push({ kind: 'break' });
    } else if (token.type === 'code_inline') {
      push({ kind: 'code', text: token.content });
    } else if (token.content !== '') {
      push({ kind: 'text', text: token.content });
    }
  }
  while (stack.length > 1) closeTop();
  return (stack[0] as InlineFrame).children;
}

function withoutBidiControls(nodes: readonly InlineNode[]): InlineNode[] {
  return nodes.map((node): InlineNode => {
    switch (node.kind) {
      case 'text':
      case 'code':
        return { ...node, text: node.text.replace(BIDI_CONTROLS, '') };
      case 'break':
        return node;
      case 'strong':
      case 'em':
      case 'del':
      case 'link':
        return { ...node, children: withoutBidiControls(node.children) };
    }
  });
}
