/**
 * A tap on the service's transport for tests: a TCP proxy on a loopback port that
 * forwards every connection to the service and keeps every byte both ways, each
 * chunk stamped with a sequence number. What the browsers send and receive through
 * it is everything the service sees; `mark()` splits the capture in time (during a
 * chat, after it).
 *
 * `capture(range)` gives what passed in that range as byte strings to search: for
 * each connection and direction the raw bytes (HTTP requests and responses as sent;
 * there is no TLS on loopback), plus, for WebSocket connections, the messages'
 * payloads unmasked and reassembled from their frames (browsers mask what they
 * send, RFC 6455 5.3, so a message never shows in the raw bytes). A frame belongs
 * to the range its first byte arrived in.
 *
 * What could still hide a text from a byte search is reported, so a test can insist
 * it never happens: `totals().compressedFrames` (permessage-deflate, RFC 7692; the
 * tap strips every offer of it from the handshakes, so none should be negotiated)
 * and `totals().encodedResponses` (HTTP responses with `Content-Encoding` or
 * chunked `Transfer-Encoding`).
 *
 * Exports: `startTap(targetPort)` → `Tap`; `decodeWebSocketMessages(bytes)`.
 */
import { createServer, connect, type Socket } from 'node:net';

type Chunk = { seq: number; bytes: Buffer };
type Connection = { up: Chunk[]; down: Chunk[]; upgraded: boolean };
export type Range = { from?: number; to?: number };

export type Tap = {
  /** `http://127.0.0.1:PORT`: point browsers here instead of at the service. */
  url: string;
  /** A point in the capture: chunks before it have lower sequence numbers. */
  mark(): number;
  /** How many connections went through, bytes each way, and what could hide bytes. */
  totals(): {
    connections: number;
    upBytes: number;
    downBytes: number;
    webSockets: number;
    compressedFrames: number;
    encodedResponses: number;
  };
  /** What passed in `[from, to)`, raw and decoded (see above). */
  capture(range?: Range): Buffer[];
  stop(): Promise<void>;
};

const EXTENSIONS_HEADER = /\r\nsec-websocket-extensions:[^\r]*/gi;
const UPGRADE_REQUEST = /\r\nupgrade:\s*websocket/i;

export async function startTap(targetPort: number): Promise<Tap> {
  const connections: Connection[] = [];
  const open = new Set<Socket>();
  let seq = 0;
  const server = createServer((client) => {
    const record: Connection = { up: [], down: [], upgraded: false };
    connections.push(record);
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    client.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (!record.upgraded) {
        // Still HTTP: no permessage-deflate offer reaches the service, so frames stay
        // readable. (A header cut between two chunks would slip through: the
        // compressed-frame count catches that.)
        const text = data.toString('latin1');
        if (UPGRADE_REQUEST.test(text)) record.upgraded = true;
        data = Buffer.from(text.replace(EXTENSIONS_HEADER, ''), 'latin1');
      }
      record.up.push({ seq: seq++, bytes: Buffer.from(data) });
      upstream.write(data);
    });
    upstream.on('data', (chunk: Buffer) => {
      record.down.push({ seq: seq++, bytes: Buffer.from(chunk) });
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tap has no port');

  const whole = (chunks: Chunk[]) => Buffer.concat(chunks.map((c) => c.bytes));
  const isWebSocket = (c: Connection) => UPGRADE_REQUEST.test(whole(c.up).toString('latin1'));
  /** The offset where frames start: after the handshake's request or its 101 answer. */
  const framesStart = (stream: Buffer, handshake: RegExp): number => {
    const text = stream.toString('latin1');
    const at = text.search(handshake);
    if (at === -1) return -1;
    const end = text.indexOf('\r\n\r\n', at);
    return end === -1 ? -1 : end + 4;
  };
  const webSocketStreams = function* (c: Connection) {
    for (const [chunks, handshake] of [
      [c.up, UPGRADE_REQUEST],
      [c.down, /^HTTP\/1\.1 101 /m],
    ] as const) {
      const stream = whole(chunks);
      const start = framesStart(stream, handshake);
      if (start !== -1) yield { chunks, stream, start };
    }
  };

  return {
    url: `http://127.0.0.1:${address.port}`,
    mark: () => seq,
    totals() {
      let compressedFrames = 0;
      let encodedResponses = 0;
      for (const c of connections) {
        const down = whole(c.down).toString('latin1');
        for (const head of down.match(/^HTTP\/1\.1 [^]*?\r\n\r\n/gm) ?? []) {
          if (/\r\n(content-encoding:|transfer-encoding:\s*chunked)/i.test(head)) {
            encodedResponses += 1;
          }
        }
        if (!isWebSocket(c)) continue;
        for (const { stream, start } of webSocketStreams(c)) {
          compressedFrames += decodeWebSocketMessages(stream.subarray(start)).compressed;
        }
      }
      return {
        connections: connections.length,
        upBytes: connections.reduce((n, c) => n + whole(c.up).byteLength, 0),
        downBytes: connections.reduce((n, c) => n + whole(c.down).byteLength, 0),
        webSockets: connections.filter(isWebSocket).length,
        compressedFrames,
        encodedResponses,
      };
    },
    capture({ from = 0, to = Number.POSITIVE_INFINITY }: Range = {}) {
      const inRange = (s: number) => s >= from && s < to;
      const parts: Buffer[] = [];
      for (const c of connections) {
        // Sequence numbers grow with time, so the chunks in range are one run per stream.
        for (const chunks of [c.up, c.down]) {
          const raw = whole(chunks.filter((chunk) => inRange(chunk.seq)));
          if (raw.byteLength > 0) parts.push(raw);
        }
        if (!isWebSocket(c)) continue;
        for (const { chunks, stream, start } of webSocketStreams(c)) {
          const seqAt = chunkSeqAt(chunks);
          for (const message of decodeWebSocketMessages(stream.subarray(start)).messages) {
            if (inRange(seqAt(start + message.offset))) parts.push(message.payload);
          }
        }
      }
      return parts;
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** For a stream made of `chunks`, the sequence number of the chunk holding byte `offset`. */
function chunkSeqAt(chunks: Chunk[]): (offset: number) => number {
  const ends: number[] = [];
  let total = 0;
  for (const chunk of chunks) ends.push((total += chunk.bytes.byteLength));
  return (offset) => {
    const index = ends.findIndex((end) => offset < end);
    return chunks[index === -1 ? chunks.length - 1 : index]!.seq;
  };
}

/** The data messages (text or binary) in `bytes`, unmasked, fragments joined, each
 * with the offset of its first frame; and how many frames had RSV1 set (compressed).
 * Stops at a frame cut short. */
export function decodeWebSocketMessages(bytes: Buffer): {
  messages: { offset: number; payload: Buffer }[];
  compressed: number;
} {
  const messages: { offset: number; payload: Buffer }[] = [];
  let compressed = 0;
  let pending: { offset: number; parts: Buffer[] } | null = null;
  let at = 0;
  while (at + 2 <= bytes.byteLength) {
    const fin = (bytes[at]! & 0x80) !== 0;
    if ((bytes[at]! & 0x40) !== 0) compressed += 1;
    const opcode = bytes[at]! & 0x0f;
    const masked = (bytes[at + 1]! & 0x80) !== 0;
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > bytes.byteLength) break;
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > bytes.byteLength) break;
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    const maskAt = at + header;
    const dataAt = maskAt + (masked ? 4 : 0);
    if (dataAt + length > bytes.byteLength) break;
    const payload = Buffer.from(bytes.subarray(dataAt, dataAt + length));
    if (masked) for (let i = 0; i < length; i++) payload[i]! ^= bytes[maskAt + (i % 4)]!;
    // Control frames (close, ping, pong: opcode 8 and up) may sit between fragments.
    if (opcode === 1 || opcode === 2) pending = { offset: at, parts: [payload] };
    else if (opcode === 0 && pending !== null) pending.parts.push(payload);
    if (opcode <= 2 && fin && pending !== null) {
      messages.push({ offset: pending.offset, payload: Buffer.concat(pending.parts) });
      pending = null;
    }
    at = dataAt + length;
  }
  return { messages, compressed };
}
