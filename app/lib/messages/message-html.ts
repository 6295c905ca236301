/**
 * F12 on the server side (archive pages, the transcript email): the same tree as
 * FormattedText.svelte renders in the browser, written as an HTML string with every
 * text escaped. The tree has no raw HTML and its links are already checked
 * (message-format.ts), so this is the whole of what the server needs.
 */
import { parseMessage, type BlockNode, type InlineNode } from './message-format.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;' };

/** Text between tags: `&` and `<` are all that can start markup there (Svelte escapes
 * the same two, so both renderers write the same bytes). */
export function escapeText(text: string): string {
  return text.replace(/[&<]/g, (c) => ESCAPES[c] as string);
}

/** A double-quoted attribute value. */
export function escapeAttribute(text: string): string {
  return text.replace(/[&<"]/g, (c) => ESCAPES[c] as string);
}

function inlineHtml(nodes: readonly InlineNode[]): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += escapeText(node.text);
        break;
      case 'break':
        out += '<br>\n';
        break;
      case 'code':
        out += `<code>${escapeText(node.text)}</code>`;
        break;
      case 'strong':
      case 'em':
      case 'del':
        out += `<${node.kind}>${inlineHtml(node.children)}</${node.kind}>`;
        break;
      case 'link':
        out += `<a href="${escapeAttribute(node.href)}" target="_blank" rel="noopener noreferrer">${inlineHtml(node.children)}</a>`;
        break;
    }
  }
  return out;
}

function blockHtml(nodes: readonly BlockNode[]): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'paragraph':
        out += `<p>${inlineHtml(node.children)}</p>`;
        break;
      case 'quote':
        out += `<blockquote>${blockHtml(node.children)}</blockquote>`;
        break;
      case 'codeblock':
        out += `<pre><code>${escapeText(node.text)}</code></pre>`;
        break;
      case 'list': {
        const items = node.items.map((item) => `<li>${blockHtml(item)}</li>`).join('');
        out += node.ordered ? `<ol start="${node.start}">${items}</ol>` : `<ul>${items}</ul>`;
        break;
      }
    }
  }
  return out;
}

/** A message body as safe HTML, wrapped like the browser's FormattedText. */
export function messageHtml(body: string): string {
  return `<div class="formatted" dir="auto">${blockHtml(parseMessage(body))}</div>`;
}
