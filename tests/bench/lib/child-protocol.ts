/**
 * The IPC between the runner and a server child (servers/child.ts). The child is
 * ours, but its messages still cross a process boundary as `unknown`, so they are
 * parsed (STYLE.md 3) before the runner reads them.
 */
import * as v from 'valibot';

/** Runner → child: run a command (`gc`, or one the server kind offers). */
export type ToChild = { type: 'request'; id: number; command: string; payload: unknown };

export const FromChild = v.variant('type', [
  v.object({
    type: v.literal('ready'),
    port: v.number(),
    /** `describeTransport()` in the child: the native uWS binary loaded, or why not. */
    uwsNative: v.boolean(),
    uwsReason: v.nullable(v.string()),
    /** Whatever the server kind hands the load generator (session tokens, ids). */
    info: v.unknown(),
  }),
  v.object({ type: v.literal('failed'), error: v.string() }),
  /** `error` is set when the command failed; `value` is its result otherwise. */
  v.object({
    type: v.literal('reply'),
    id: v.number(),
    value: v.unknown(),
    error: v.nullable(v.string()),
  }),
]);
export type FromChild = v.InferOutput<typeof FromChild>;

/** What a server kind's `start` returns to the child entry. */
export type StartedServer = {
  port: number;
  info?: unknown;
  /** Commands the runner may send, by name. */
  commands?: Record<string, (payload: unknown) => Promise<unknown>>;
};

export type ServerKind =
  | 'echo-ours'
  | 'echo-uws'
  | 'echo-ws'
  | 'echo-socketio'
  | 'service'
  | 'y-webrtc'
  | 'peerjs'
  | 'queue'
  | 'chat-doc'
  | 'room-uws'
  | 'relay-uws';
