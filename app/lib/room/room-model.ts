/**
 * The Contributors room as one console sees it (F20, SPEC.md SP-CR1–SP-CR9), in plain
 * TypeScript: the messages held (by `seq`, no doubles), what this console wrote and
 * the service has not echoed yet (the outbox, sent again after every rejoin, SP-CR6),
 * who is in, and the mentions of this person not yet seen. The connection is
 * injected (`send`), so unit and integration tests drive it without a browser; the
 * Svelte room only renders `view` and calls the actions.
 */
import type { ErrorCode, RoomEntry, RoomMember, ServiceToStaff, StaffToService } from '$protocol';
import { LIMITS } from '$protocol';

export type RoomServiceMessage = Extract<
  ServiceToStaff,
  { type: 'room_joined' | 'room_messages' | 'room_message' | 'room_members' | 'room_left' }
>;

export type Outgoing = { id: string; text: string; at: number };

export type RoomView = {
  /** `joined`: in the room; `joining`: asked; `left`: its person left (SP-CR7);
   * `offline`: no connection, rejoins by itself. */
  status: 'offline' | 'joining' | 'joined' | 'left';
  messages: readonly RoomEntry[];
  /** Older messages exist at the service (SP-CR4). */
  older: boolean;
  loadingOlder: boolean;
  members: readonly RoomMember[];
  memberCount: number;
  /** Written here, not yet stored by the service (shown as sending). */
  outbox: readonly Outgoing[];
  /** Messages naming this person that arrived since the room was last looked at. */
  unseenMentions: number;
  /** Messages of others that arrived since the room was last looked at. */
  unseen: number;
  /** The service's last refusal of a room frame (SP-CR8), in words. */
  error: string | null;
};

export type RoomDeps = {
  send(msg: StaffToService): boolean;
  newId(): string;
  now(): number;
  /** The nickname of the person signed in (mentions, own messages). */
  self(): string | null;
  /** Called for each new message naming this person (sound, notification). */
  onMention?(entry: RoomEntry): void;
  /** Whether the person left the room in this tab (kept across reloads by the caller). */
  left?: boolean;
  onLeftChange?(left: boolean): void;
};

const EMPTY: RoomView = {
  status: 'offline',
  messages: [],
  older: false,
  loadingOlder: false,
  members: [],
  memberCount: 0,
  outbox: [],
  unseenMentions: 0,
  unseen: 0,
  error: null,
};

export class RoomModel {
  #view: RoomView;
  readonly #deps: RoomDeps;
  readonly #listeners = new Set<(view: RoomView) => void>();
  /** Whether the person has the room in front of them (nothing counts as unseen). */
  #looking = false;

  constructor(deps: RoomDeps) {
    this.#deps = deps;
    this.#view = { ...EMPTY, status: deps.left === true ? 'left' : 'offline' };
  }

  get view(): RoomView {
    return this.#view;
  }

  subscribe(listener: (view: RoomView) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#view);
    return () => this.#listeners.delete(listener);
  }

  /** The highest seq held: the catch-up cursor of the next join (SP-CR6). */
  get lastSeq(): number {
    return this.#view.messages.at(-1)?.seq ?? 0;
  }

  // --- connection ---------------------------------------------------------

  /** The service welcomed this connection: join (SP-CR1), unless the person left. */
  welcomed(): void {
    if (this.#view.status === 'left') return;
    this.#join();
  }

  offline(): void {
    if (this.#view.status === 'left') return;
    this.#update({ status: 'offline', loadingOlder: false });
  }

  receive(msg: RoomServiceMessage): void {
    switch (msg.type) {
      case 'room_joined': {
        const reset = msg.reset || this.#view.messages.length === 0;
        const base = reset ? [] : this.#view.messages;
        this.#update({
          status: 'joined',
          members: msg.members,
          memberCount: msg.memberCount,
          ...(reset ? { older: msg.older } : {}),
        });
        this.#take(base, msg.messages, !reset);
        // SP-CR6: what was written while away goes again, under the same ids.
        for (const out of this.#view.outbox) {
          this.#deps.send({ type: 'room_send', id: out.id, text: out.text });
        }
        return;
      }
      case 'room_messages':
        this.#take(this.#view.messages, msg.messages, !msg.history);
        if (msg.history) this.#update({ older: msg.older, loadingOlder: false });
        return;
      case 'room_message':
        this.#take(this.#view.messages, [msg.message], true);
        return;
      case 'room_members':
        this.#update({ members: msg.members, memberCount: msg.memberCount });
        return;
      case 'room_left':
        return;
    }
  }

  /** The service refused a room frame (SP-CR8): say why; what is unsent stays in the
   * outbox for `retry` (or the next rejoin). */
  refused(code: ErrorCode, message: string): void {
    if (code === 'room_not_joined' && this.#view.status !== 'left') this.#join();
    this.#update({ error: message, loadingOlder: false });
  }

  // --- actions -------------------------------------------------------------

  /** Sends what is unsent again (after `room_rate_limited`). */
  retry(): void {
    if (this.#view.status !== 'joined') return;
    this.#update({ error: null });
    for (const out of this.#view.outbox) {
      this.#deps.send({ type: 'room_send', id: out.id, text: out.text });
    }
  }

  /** Writes a message; it is kept until the service has stored it. */
  write(raw: string): { ok: true } | { ok: false; error: string } {
    const text = raw.trim();
    if (text === '') return { ok: false, error: 'Write something first.' };
    if (text.length > LIMITS.maxRoomMessageLength) {
      return {
        ok: false,
        error: `A room message has at most ${LIMITS.maxRoomMessageLength} characters (this one has ${text.length}).`,
      };
    }
    if (this.#view.status === 'left') return { ok: false, error: 'Join the room to write.' };
    const out: Outgoing = { id: this.#deps.newId(), text, at: this.#deps.now() };
    this.#update({ outbox: [...this.#view.outbox, out], error: null });
    if (this.#view.status === 'joined') {
      this.#deps.send({ type: 'room_send', id: out.id, text });
    }
    return { ok: true };
  }

  leave(): void {
    if (this.#view.status === 'left') return;
    this.#deps.send({ type: 'room_leave' });
    this.#deps.onLeftChange?.(true);
    this.#update({ status: 'left', members: [], memberCount: 0, loadingOlder: false });
  }

  rejoin(): void {
    if (this.#view.status !== 'left') return;
    this.#deps.onLeftChange?.(false);
    this.#join();
  }

  /** SP-CR4: the page before the oldest message held. */
  loadOlder(): void {
    const first = this.#view.messages[0];
    if (first === undefined || !this.#view.older || this.#view.loadingOlder) return;
    if (this.#view.status !== 'joined') return;
    if (this.#deps.send({ type: 'room_history', before: first.seq })) {
      this.#update({ loadingOlder: true });
    }
  }

  /** The person is looking at the room (or stopped): what is on screen is seen. */
  setLooking(looking: boolean): void {
    this.#looking = looking;
    if (looking && (this.#view.unseen > 0 || this.#view.unseenMentions > 0)) {
      this.#update({ unseen: 0, unseenMentions: 0 });
    }
  }

  // --- internals -------------------------------------------------------------

  #join(): void {
    const after = this.lastSeq;
    const sent = this.#deps.send(after > 0 ? { type: 'room_join', after } : { type: 'room_join' });
    this.#update({ status: sent ? 'joining' : 'offline' });
  }

  /** Merges entries by seq, dropping any already held (SP-CR6); `fresh`: they are new
   * to this console (live or caught up), so they may alert and count as unseen. */
  #take(base: readonly RoomEntry[], incoming: readonly RoomEntry[], fresh: boolean): void {
    const held = new Set(base.map((m) => m.seq));
    const added = incoming.filter((m) => !held.has(m.seq));
    const self = this.#deps.self();
    const echoed = new Set(
      incoming.filter((m) => m.from !== null && m.from.nickname === self).map((m) => m.id),
    );
    const outbox = this.#view.outbox.filter((o) => !echoed.has(o.id));
    if (added.length === 0) {
      if (base !== this.#view.messages || outbox.length !== this.#view.outbox.length) {
        this.#update({ messages: base, outbox });
      }
      return;
    }
    const last = base.at(-1)?.seq ?? 0;
    const messages =
      added.every((m) => m.seq > last) && isSorted(added)
        ? [...base, ...added]
        : [...base, ...added].sort((a, b) => a.seq - b.seq);
    let { unseen, unseenMentions } = this.#view;
    if (fresh) {
      for (const entry of added) {
        if (entry.from?.nickname === self) continue;
        const mentioned = self !== null && entry.mentions.includes(self);
        if (mentioned) this.#deps.onMention?.(entry);
        if (!this.#looking) {
          unseen += 1;
          if (mentioned) unseenMentions += 1;
        }
      }
    }
    this.#update({ messages, outbox, unseen, unseenMentions });
  }

  #update(patch: Partial<RoomView>): void {
    this.#view = { ...this.#view, ...patch };
    for (const listener of [...this.#listeners]) listener(this.#view);
  }
}

function isSorted(entries: readonly RoomEntry[]): boolean {
  for (let i = 1; i < entries.length; i += 1) {
    if (entries[i]!.seq <= entries[i - 1]!.seq) return false;
  }
  return true;
}

export function isRoomServiceMessage(msg: ServiceToStaff): msg is RoomServiceMessage {
  return (
    msg.type === 'room_joined' ||
    msg.type === 'room_messages' ||
    msg.type === 'room_message' ||
    msg.type === 'room_members' ||
    msg.type === 'room_left'
  );
}
