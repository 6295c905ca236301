/**
 * What the reader has seen (F9): which messages are on screen (an IntersectionObserver
 * in the browser, anything in tests) and whether the chat is visible (the page's
 * visibility and the widget being open). A message on screen counts as seen only
 * while the chat is visible; becoming visible makes what is on screen seen then.
 * No DOM here: the UI reports, the tracker decides. Ids are plain strings: they
 * come from the UI, and only ids of the document's messages are ever marked.
 */

export type ChatVisibility = {
  /** document.visibilityState === 'visible'. */
  readonly pageVisible: boolean;
  /** The chat widget is open (not minimised). */
  readonly chatOpen: boolean;
};

export class ReadTracker {
  readonly #onScreen = new Set<string>();
  readonly #seen = new Set<string>();
  /** Seen since the last `takeFresh`, in the order they were seen. */
  #fresh: string[] = [];
  #visibility: ChatVisibility = { pageVisible: false, chatOpen: false };

  constructor(private readonly onSeen: () => void) {}

  get visible(): boolean {
    return this.#visibility.pageVisible && this.#visibility.chatOpen;
  }

  get visibility(): ChatVisibility {
    return this.#visibility;
  }

  get seen(): ReadonlySet<string> {
    return this.#seen;
  }

  /** The ids seen since the last call: a read mark is moved by these alone (O(new)). */
  takeFresh(): string[] {
    const fresh = this.#fresh;
    this.#fresh = [];
    return fresh;
  }

  setVisibility(visibility: ChatVisibility): void {
    this.#visibility = visibility;
    this.#update();
  }

  setOnScreen(id: string, onScreen: boolean): void {
    if (onScreen) this.#onScreen.add(id);
    else this.#onScreen.delete(id);
    this.#update();
  }

  #update(): void {
    if (!this.visible) return;
    let added = false;
    for (const id of this.#onScreen) {
      if (!this.#seen.has(id)) {
        this.#seen.add(id);
        this.#fresh.push(id);
        added = true;
      }
    }
    if (added) this.onSeen();
  }
}
