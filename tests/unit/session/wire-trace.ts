/**
 * The in-memory network's trace (tests/fixtures/in-memory-network.ts) read back as
 * wire messages (CHAT.md CH-D1–CH-D7), so a kept seed can check that it still exercises
 * the case its title names, and the property it claims.
 */
import * as Y from 'yjs';
import { decodeMessage, Reassembler, type WireMessage } from '../../../protocol/index.ts';
import type { NetworkEvent } from '../../fixtures/in-memory-network.ts';

export type TraceEvent =
  | Exclude<NetworkEvent, { kind: 'frame' }>
  | { kind: 'message'; link: number; from: string; to: string; message: WireMessage };

export function decodeTrace(events: readonly NetworkEvent[]): TraceEvent[] {
  const reassemblers = new Map<string, Reassembler>();
  const out: TraceEvent[] = [];
  for (const e of events) {
    if (e.kind !== 'frame') {
      out.push(e);
      continue;
    }
    const key = `${e.link}:${e.from}`;
    const reassembler = reassemblers.get(key) ?? new Reassembler();
    reassemblers.set(key, reassembler);
    const pushed = reassembler.push(e.frame);
    if (!pushed.ok) throw new Error(`link ${e.link} from ${e.from}: ${pushed.code}`);
    if (pushed.message === null) continue;
    const decoded = decodeMessage(pushed.message);
    if (!decoded.ok) throw new Error(`link ${e.link} from ${e.from}: ${decoded.code}`);
    out.push({ kind: 'message', link: e.link, from: e.from, to: e.to, message: decoded.message });
  }
  return out;
}

/** The Yjs client ids whose structs an update carries. */
export function structClients(update: Uint8Array): Set<number> {
  return new Set(Y.decodeUpdate(update).structs.map((s) => s.id.client));
}

/** The update a sync message carries, or null for any other message. */
export function syncUpdate(message: WireMessage): Uint8Array | null {
  return message.type === 'sync-step2' || message.type === 'sync-update' ? message.update : null;
}
