/**
 * Awareness: what is ephemeral about a participant (CHAT.md CH-W1–CH-W4) travels as
 * y-protocols awareness updates and never grows the document: the live draft
 * (typing preview, F10), "is typing", focus and visibility, and the page the
 * visitor is on (F11). Each state is validated here before it is applied.
 *
 * Update format (y-protocols awareness.js encodeAwarenessUpdate):
 *   update = varUint(n) entry{n};  entry = varUint(clientId) varUint(clock) varString(JSON state)
 */
import * as v from 'valibot';
import { LIMITS } from '../limits.ts';
import { PageView } from '../primitives.ts';
import { ByteReader } from './byte-reader.ts';
import { refuse, type Refusal } from './chat-errors.ts';
import type { BoundParticipant } from './participant-bindings.ts';

export const AwarenessState = v.strictObject({
  /** The reply box's text, shown to helpers as a typing preview (F10). */
  draft: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.maxChatMessageLength))),
  typing: v.boolean(),
  /** focused: the chat has focus; visible: on screen but not focused; hidden: not shown. */
  focus: v.picklist(['focused', 'visible', 'hidden']),
  /** The page of the host site the visitor is viewing. */
  page: v.optional(PageView),
});
export type AwarenessState = v.InferOutput<typeof AwarenessState>;

export type AwarenessEntry = {
  clientId: number;
  clock: number;
  /** null: the client left (y-protocols encodes a removal as the JSON `null`). */
  state: AwarenessState | null;
};

/** Entries of one awareness update: more means someone is flooding. */
const MAX_ENTRIES = 64;

export function decodeAwarenessUpdate(
  update: Uint8Array,
): { ok: true; entries: AwarenessEntry[] } | Refusal {
  if (update.byteLength > LIMITS.maxAwarenessUpdateBytes) {
    return refuse('bad_awareness', `${update.byteLength} bytes`);
  }
  const reader = new ByteReader(update);
  const count = reader.varUint();
  if (count === null || count > MAX_ENTRIES) return refuse('bad_awareness', 'bad entry count');
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = reader.varUint();
    const clock = reader.varUint();
    const json = reader.varString(LIMITS.maxAwarenessUpdateBytes);
    if (clientId === null || clientId > 0xffff_ffff || clock === null || json === null) {
      return refuse('bad_awareness', `entry ${i} is truncated`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      return refuse('bad_awareness', `entry ${i} is not JSON`);
    }
    if (raw === null) {
      entries.push({ clientId, clock, state: null });
      continue;
    }
    const parsed = v.safeParse(AwarenessState, raw);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      return refuse(
        'bad_awareness',
        `entry ${i}: ${v.getDotPath(issue) ?? '(root)'} ${issue.message}`,
      );
    }
    entries.push({ clientId, clock, state: parsed.output });
  }
  if (!reader.done) return refuse('bad_awareness', 'trailing bytes');
  return { ok: true, entries };
}

/** A peer speaks only for its own client ids; monitors not at all (CHAT.md CH-W2, CH-W3).
 * `relayed`: whose states this sender may also carry — the visitor's, from a helper
 * to a monitor (CH-W5). */
export function filterAwarenessUpdate(
  update: Uint8Array,
  sender: BoundParticipant | undefined,
  relayed?: BoundParticipant,
): { ok: true; entries: AwarenessEntry[] } | Refusal {
  if (sender === undefined) return refuse('unknown_sender', 'no participant at this link');
  if (sender.role === 'monitor') return refuse('read_only', `monitor ${sender.id}`);
  const decoded = decodeAwarenessUpdate(update);
  if (!decoded.ok) return decoded;
  for (const entry of decoded.entries) {
    if (!sender.clientIds.has(entry.clientId) && relayed?.clientIds.has(entry.clientId) !== true) {
      return refuse('foreign_awareness', `${sender.id} set the state of client ${entry.clientId}`);
    }
  }
  return decoded;
}
