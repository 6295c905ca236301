/**
 * F9: a Svelte action that reports whether an element (a message) is on screen:
 * inside the viewport and not clipped away by its scrolling log. One
 * IntersectionObserver serves every element of the page (a chat switch mounts a
 * hundred messages: one observer each was a good part of it, benchmark S8).
 */
let shared: IntersectionObserver | null = null;
const reports = new Map<Element, ((visible: boolean) => void) | undefined>();

function observer(): IntersectionObserver {
  shared ??= new IntersectionObserver((entries) => {
    for (const entry of entries) reports.get(entry.target)?.(entry.isIntersecting);
  });
  return shared;
}

export function onScreen(node: HTMLElement, report: ((visible: boolean) => void) | undefined) {
  reports.set(node, report);
  observer().observe(node);
  return {
    update: (next: ((visible: boolean) => void) | undefined) => reports.set(node, next),
    destroy: () => {
      reports.delete(node);
      shared?.unobserve(node);
    },
  };
}
