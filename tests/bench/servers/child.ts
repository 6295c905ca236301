/**
 * Entry of a server child: `node --expose-gc --import tsx child.ts <kind> <json>`,
 * started by lib/server-process.ts pinned to its own core. It starts one server
 * kind, reports `ready` with its port and whether uWebSockets.js's native binary
 * loads here (the runner refuses to report on the pure-JS fallback), then answers
 * the runner's commands until it is killed.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { describeTransport } from '../../../signal/transport/uws-native.ts';
import type { FromChild, ServerKind, StartedServer } from '../lib/child-protocol.ts';

const starters: Record<
  ServerKind,
  () => Promise<{ start(options: unknown): Promise<StartedServer> }>
> = {
  'echo-ours': () => import('./echo-ours.ts'),
  'echo-uws': () => import('./echo-uws.ts'),
  'echo-ws': () => import('./echo-ws.ts'),
  'echo-socketio': () => import('./echo-socketio.ts'),
  service: () => import('./service.ts'),
  'y-webrtc': () => import('./y-webrtc.ts'),
  peerjs: () => import('./peerjs.ts'),
  queue: () => import('./queue.ts'),
  'chat-doc': () => import('./chat-doc.ts'),
  'room-uws': () => import('./room-uws.ts'),
  'relay-uws': () => import('./relay-uws.ts'),
};

function youngGenerationBytes(): number {
  return getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'new_space')
    .reduce((sum, space) => sum + space.space_size, 0);
}

/**
 * Allocates short-lived objects worth twice the young generation, so that every page
 * of it has been written and counts in RSS, whatever ran before. Without it, RSS grows
 * as allocation reaches young-generation pages for the first time, which is V8's
 * fixed reservation being filled in, not memory the objects kept (S1).
 */
function touchYoungGeneration(): void {
  const ring: object[] = new Array<object>(64);
  // 64-byte objects (five fields), each dead once the ring wraps.
  const count = Math.ceil((2 * youngGenerationBytes()) / 64);
  for (let i = 0; i < count; i++) ring[i & 63] = { a: i, b: i, c: i, d: i, e: i };
}

function tell(message: FromChild): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [kind, json] = process.argv.slice(2);
  if (kind === undefined || !(kind in starters)) throw new Error(`unknown server kind ${kind}`);
  const module = await starters[kind as ServerKind]();
  const started = await module.start(JSON.parse(json ?? '{}') as unknown);
  const commands: Record<string, (payload: unknown) => Promise<unknown>> = {
    ...started.commands,
    gc: (payload) => {
      // Full collections twice: the second frees what the first one's finalizers left.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc === undefined) throw new Error('the child needs --expose-gc');
      if ((payload as { touchYoung?: unknown } | null)?.touchYoung === true) {
        touchYoungGeneration();
      }
      gc();
      gc();
      // The process's own report, after the collections: the JS heap in use is the
      // figure that shows a leak of JS objects; RSS also holds pages V8 keeps.
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      // The young generation's reserved size: it grows while many objects survive
      // (connections being accepted) and a full GC does not give it back.
      const youngGeneration = youngGenerationBytes();
      return Promise.resolve({ heapUsed, external, arrayBuffers, youngGeneration });
    },
  };
  process.on(
    'message',
    (raw: { type?: unknown; id?: unknown; command?: unknown; payload?: unknown }) => {
      if (raw.type !== 'request' || typeof raw.id !== 'number' || typeof raw.command !== 'string')
        return;
      const id = raw.id;
      const command = commands[raw.command];
      if (command === undefined) {
        tell({ type: 'reply', id, value: null, error: `unknown command ${raw.command}` });
        return;
      }
      command(raw.payload).then(
        (value) => tell({ type: 'reply', id, value, error: null }),
        (error: unknown) => tell({ type: 'reply', id, value: null, error: String(error) }),
      );
    },
  );
  // A runner that dies (or is killed) takes its servers with it.
  process.on('disconnect', () => process.exit(0));
  const transport = describeTransport();
  tell({
    type: 'ready',
    port: started.port,
    uwsNative: transport.uwsNative,
    uwsReason: transport.reason,
    info: started.info ?? null,
  });
}

main().catch((error: unknown) => {
  tell({
    type: 'failed',
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exitCode = 1;
  // Let the IPC message go out before the process ends.
  process.disconnect?.();
});
