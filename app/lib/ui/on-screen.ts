/**
 * F9: a Svelte action that reports whether an element (a message) is on screen:
 * inside the viewport and not clipped away by its scrolling log.
 */
export function onScreen(node: HTMLElement, report: ((visible: boolean) => void) | undefined) {
  let current = report;
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) current?.(entry.isIntersecting);
  });
  observer.observe(node);
  return {
    update: (next: ((visible: boolean) => void) | undefined) => (current = next),
    destroy: () => observer.disconnect(),
  };
}
