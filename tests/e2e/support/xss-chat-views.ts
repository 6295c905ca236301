/**
 * Issue 16: reading a whole conversation log (widget, console, monitor watch view) in
 * ONE call per view, for the chat-wide XSS corpus spec. Every log renders a window of
 * its newest entries (app/lib/ui/log-window.ts: LOG_PAGE, the console's LOG_FIRST
 * first); the read scrolls the log to its top inside the page, as a reader would, until
 * the whole Y.Doc-ordered list is rendered, then reads every entry of it at once.
 */
import type { Locator } from '@playwright/test';
import { safeFileName } from '../../../protocol/chat-doc/file-names.ts';
import { LIMITS } from '../../../protocol/limits.ts';
import { FORMATTED_ELEMENTS } from './xss-views.ts';

/** One entry of a conversation log as the page shows it. */
export type LogEntry =
  | {
      kind: 'bubble';
      who: string;
      /** The formatted body's markup (null for an attachment). */
      html: string | null;
      /** The formatted body's text, whitespace squeezed. */
      text: string;
      /** An attachment's shown name, its download name when it has arrived, else null. */
      file: { name: string; download: string | null } | null;
      /** Elements in the body that are neither the formatting subset nor the attachment's. */
      foreign: string[];
      hrefs: string[];
    }
  | { kind: 'notice'; text: string };

/** Every entry of the log, oldest first, after widening its window to all of them. */
export async function readWholeLog(log: Locator): Promise<LogEntry[]> {
  return log.evaluate(async (element, allowed) => {
    const drawn = () =>
      new Promise<void>((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    const earlierButton = () =>
      [...element.querySelectorAll<HTMLButtonElement>(':scope > button')].find((b) =>
        (b.textContent ?? '').startsWith('Show earlier messages'),
      );
    // As a reader would: scroll to the top (the log renders LOG_PAGE more above), then,
    // at the top, press "Show earlier messages" until all are rendered. Pressed while at
    // the bottom, it would be undone: the scroll anchoring moves the view, the log sees
    // the reader at the bottom and goes back to the newest LOG_PAGE.
    for (let round = 0; round < 200; round++) {
      const more = earlierButton();
      if (more === undefined) break;
      if (element.scrollTop > 0) element.scrollTop = 0;
      else more.click();
      await drawn();
      await drawn();
    }
    await drawn();
    // The live logs hold an <ol>; the archived transcript's log is the <ol> itself.
    const items = element.matches('ol')
      ? [...element.children]
      : [...element.querySelectorAll(':scope > ol > li')];
    return items.map((li) => {
      if (!li.classList.contains('bubble')) {
        return {
          kind: 'notice' as const,
          text: (li.textContent ?? '').replace(/\s+/g, ' ').trim(),
        };
      }
      const formatted = li.querySelector('.formatted');
      const group = li.querySelector('[role="group"][aria-label^="Attachment "]');
      const download = group?.querySelector('a[download]') ?? null;
      const body = formatted ?? group;
      // The live views' attachment (AttachmentView), or the archive's file line.
      const fileName = group?.querySelector('.name') ?? li.querySelector('p.file > strong');
      return {
        kind: 'bubble' as const,
        who: li.querySelector('.who')?.textContent ?? '',
        html: formatted?.innerHTML ?? null,
        text: (formatted?.textContent ?? '').replace(/\s+/g, ''),
        file: fileName
          ? {
              name: fileName.textContent ?? '',
              download: download?.getAttribute('download') ?? null,
            }
          : null,
        foreign: formatted
          ? [...formatted.querySelectorAll('*')]
              .filter((e) => !e.matches(allowed))
              .map((e) => e.outerHTML.slice(0, 120))
          : [],
        hrefs: [...(body?.querySelectorAll('a') ?? [])]
          .filter((a) => !a.hasAttribute('download'))
          .map((a) => a.href),
      };
    });
  }, FORMATTED_ELEMENTS);
}

export const bubblesOf = (entries: readonly LogEntry[]) =>
  entries.filter((e): e is Extract<LogEntry, { kind: 'bubble' }> => e.kind === 'bubble');

/** The name a file picked as `name` carries in the chat (attach-file.ts). */
export const attachedName = (name: string) => name.slice(0, LIMITS.maxTitleLength);

/** The name the live views show a file under and save it as (CH-X10). */
export const shownFileName = (name: string) => safeFileName(attachedName(name));
