/**
 * Load-generator side of S2: pairs of endpoints that relay WebRTC-style signals
 * through a signalling server, the same round for every server:
 *
 * - ours: a visitor and a helper in one chat (hello, request, offer, accept), each
 *   sending `signal` messages to the other through the relay (SPEC.md SP-R1–SP-R3);
 * - y-webrtc: two sockets subscribed to the pair's topic, `publish`ing signals in
 *   y-webrtc's own envelope (`{type:'signal', from, to, signal}`);
 * - PeerJS: two peers registered by id, sending OFFER/ANSWER/CANDIDATE to `dst`;
 * - the bare uWS relay (the floor): two sockets named by id, sending ours' frames.
 *
 * Frames are read with JSON.parse and a few field checks, the same light touch
 * for every server, so that client cost never tilts the comparison.
 */
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../protocol/index.ts';
import { inPool, pollUntil } from '../lib/deadline.ts';

export type SignalKind = 'offer' | 'answer' | 'candidate';

export type Endpoint = {
  send(kind: SignalKind, body: string): void;
  /** Set by the round driver; called for every signal this endpoint receives. */
  onSignal: (kind: SignalKind) => void;
  terminate(): void;
};

export type Pair = { a: Endpoint; b: Endpoint };

export interface SignallingTarget {
  /** Registers `count` more pairs (`first` numbers them across calls). */
  addPairs(first: number, count: number): Promise<Pair[]>;
  /** Sockets opened so far. */
  readonly sockets: number;
  close(): void;
}

const CONNECT_CONCURRENCY = 200;
const OPEN_TIMEOUT_MS = 30_000;

type Frame = Record<string, unknown>;

function readFrame(data: WebSocket.RawData): Frame {
  const value: unknown = JSON.parse(String(data));
  if (typeof value !== 'object' || value === null) throw new Error('frame is not an object');
  return value as Frame;
}

function isKind(value: unknown): value is SignalKind {
  return value === 'offer' || value === 'answer' || value === 'candidate';
}

/** Opens a socket; `onFrame` sees every frame from the first one on. */
function connect(url: string, onFrame: (frame: Frame) => void): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', (data) => onFrame(readFrame(data)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no connection to ${url} within ${OPEN_TIMEOUT_MS} ms`));
    }, OPEN_TIMEOUT_MS);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Resolves when `predicate` holds for a frame seen by the returned `feed`. */
function waiter(): {
  feed: (frame: Frame) => void;
  until: (p: (f: Frame) => boolean) => Promise<Frame>;
} {
  let pending: { predicate: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  return {
    feed(frame) {
      const hit = pending.find((p) => p.predicate(frame));
      if (hit === undefined) return;
      pending = pending.filter((p) => p !== hit);
      hit.resolve(frame);
    },
    until: (predicate) => new Promise((resolve) => pending.push({ predicate, resolve })),
  };
}

/**
 * A target whose pairs are two endpoints made alike, `a<n>` and `b<n>`, connected two
 * at a time with bounded concurrency (the peers: y-webrtc, PeerJS, the bare relay).
 * `endpoint` opens one side of pair `n` and registers its socket in `all`.
 */
function symmetricTarget(
  all: WebSocket[],
  endpoint: (self: string, other: string, n: number) => Promise<Endpoint>,
): SignallingTarget {
  return {
    get sockets() {
      return all.length;
    },
    async addPairs(first, count) {
      const pairs: Pair[] = [];
      await inPool(count, CONNECT_CONCURRENCY / 2, async (i) => {
        const n = first + i;
        const [a, b] = await Promise.all([
          endpoint(`a${n}`, `b${n}`, n),
          endpoint(`b${n}`, `a${n}`, n),
        ]);
        pairs[i] = { a, b };
      });
      return pairs;
    },
    close: () => all.forEach((ws) => ws.terminate()),
  };
}

// ---- y-webrtc -------------------------------------------------------------------

export function yWebrtcTarget(port: number): SignallingTarget {
  const all: WebSocket[] = [];
  const endpoint = async (self: string, other: string, n: number): Promise<Endpoint> => {
    const topic = `pair-${n}`;
    const w = waiter();
    const ep: Endpoint = {
      send: (kind, body) => {
        const signal =
          kind === 'candidate'
            ? { type: 'candidate', candidate: { candidate: body, sdpMLineIndex: 0, sdpMid: '0' } }
            : { type: kind, sdp: body };
        ws.send(
          JSON.stringify({
            type: 'publish',
            topic,
            data: { type: 'signal', from: self, to: other, signal },
          }),
        );
      },
      onSignal: () => undefined,
      terminate: () => ws.terminate(),
    };
    const ws = await connect(`ws://127.0.0.1:${port}`, (frame) => {
      w.feed(frame);
      const data = frame['data'] as Frame | undefined;
      // Every publish comes back to its sender too; only the addressee reads it.
      if (frame['type'] !== 'publish' || data?.['to'] !== self) return;
      const signal = data['signal'] as Frame | undefined;
      const kind = signal?.['type'];
      if (isKind(kind)) ep.onSignal(kind);
    });
    all.push(ws);
    // No acknowledgement for subscribe; a ping behind it on the same socket is.
    ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
    const pong = w.until((f) => f['type'] === 'pong');
    ws.send(JSON.stringify({ type: 'ping' }));
    await pong;
    return ep;
  };
  return symmetricTarget(all, endpoint);
}

// ---- PeerJS ---------------------------------------------------------------------

export function peerjsTarget(port: number): SignallingTarget {
  const all: WebSocket[] = [];
  const endpoint = async (self: string, other: string): Promise<Endpoint> => {
    const w = waiter();
    const ep: Endpoint = {
      send: (kind, body) => {
        const type = kind === 'offer' ? 'OFFER' : kind === 'answer' ? 'ANSWER' : 'CANDIDATE';
        const payload =
          kind === 'candidate'
            ? {
                candidate: { candidate: body, sdpMLineIndex: 0, sdpMid: '0' },
                type: 'data',
                connectionId: 'dc_1',
              }
            : { sdp: { type: kind, sdp: body }, type: 'data', connectionId: 'dc_1' };
        ws.send(JSON.stringify({ type, dst: other, payload }));
      },
      onSignal: () => undefined,
      terminate: () => ws.terminate(),
    };
    const opened = w.until((f) => f['type'] === 'OPEN');
    const ws = await connect(
      `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${self}&token=t${self}`,
      (frame) => {
        w.feed(frame);
        const type = frame['type'];
        if (type === 'OFFER') ep.onSignal('offer');
        else if (type === 'ANSWER') ep.onSignal('answer');
        else if (type === 'CANDIDATE') ep.onSignal('candidate');
      },
    );
    all.push(ws);
    await opened;
    return ep;
  };
  return symmetricTarget(all, endpoint);
}

// ---- bare uWS relay -------------------------------------------------------------

/** The floor (servers/relay-uws.ts): the same `signal` frames as ours sends, each
 * socket named in its URL, no hello and no chat. */
export function bareRelayTarget(port: number): SignallingTarget {
  const all: WebSocket[] = [];
  const endpoint = async (self: string, other: string, n: number): Promise<Endpoint> => {
    const chatId = `chat-${n}`;
    const ep: Endpoint = {
      send: (kind, body) => ws.send(JSON.stringify(signalFrame(chatId, other, kind, body))),
      onSignal: () => undefined,
      terminate: () => ws.terminate(),
    };
    const ws = await connect(`ws://127.0.0.1:${port}/relay?id=${self}`, (frame) => {
      const kind = signalKindOf(frame);
      if (kind !== null) ep.onSignal(kind);
    });
    all.push(ws);
    return ep;
  };
  return symmetricTarget(all, endpoint);
}

/** Our `signal` frame (SPEC.md SP-R1), as both ours and the bare relay are sent it. */
function signalFrame(chatId: string, to: string, kind: SignalKind, body: string): object {
  const data =
    kind === 'candidate'
      ? { kind: 'candidate', candidate: body, sdpMid: '0', sdpMLineIndex: 0 }
      : { kind: 'description', type: kind, sdp: body };
  return { type: 'signal', chatId, to, link: 'l1', data };
}

/** The kind of a relayed `signal` frame, or null for any other frame. */
function signalKindOf(frame: Frame): SignalKind | null {
  if (frame['type'] !== 'signal') return null;
  const data = frame['data'] as Frame | undefined;
  const kind = data?.['kind'] === 'candidate' ? 'candidate' : data?.['type'];
  return isKind(kind) ? kind : null;
}

// ---- ours -----------------------------------------------------------------------

const REQUEST = {
  type: 'request',
  name: 'Bench Visitor',
  department: 'general',
  question: 'My browser will not start',
  page: { url: 'https://example.org/help', title: 'Help' },
  browser: { userAgent: 'Bench/1.0', language: 'en' },
  sessionStartedAt: 1_700_000_000_000,
  landingPage: 'https://example.org/',
} as const;

type Party = {
  ws: WebSocket;
  /** chatId → the other participant's id, once the participant list names them. */
  peers: Map<string, string>;
  w: ReturnType<typeof waiter>;
  endpoint: Endpoint | null;
};

async function oursParty(
  port: number,
  path: 'visitor' | 'staff',
  hello: object,
  all: WebSocket[] = [],
): Promise<Party> {
  const w = waiter();
  const p: Party = { ws: null as unknown as WebSocket, peers: new Map(), w, endpoint: null };
  p.ws = await connect(`ws://127.0.0.1:${port}/ws/${path}`, (frame) => {
    const type = frame['type'];
    if (type === 'signal') {
      const kind = signalKindOf(frame);
      if (kind !== null) p.endpoint?.onSignal(kind);
    } else if (type === 'offer') {
      p.ws.send(JSON.stringify({ type: 'accept', chatId: frame['chatId'] }));
    } else if (type === 'participants') {
      const self = frame['self'];
      const list = frame['participants'] as { id: string; online: boolean }[];
      const other = list.find((x) => x.id !== self && x.online);
      if (other !== undefined) p.peers.set(String(frame['chatId']), other.id);
      else p.peers.delete(String(frame['chatId']));
    }
    // Last: a waiter may look at what this frame just changed.
    w.feed(frame);
  });
  all.push(p.ws);
  const welcome = w.until((f) => f['type'] === 'welcome' || f['type'] === 'error');
  p.ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, ...hello }));
  const reply = await welcome;
  if (reply['type'] !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(reply)}`);
  return p;
}

/** Helpers signed in with `sessions`, accepting every offer (S2 churn, S4). */
export async function oursHelpers(port: number, sessions: readonly string[]): Promise<WebSocket[]> {
  const parties: WebSocket[] = [];
  await inPool(sessions.length, CONNECT_CONCURRENCY, async (i) => {
    parties[i] = (await oursParty(port, 'staff', { session: sessions[i]! })).ws;
  });
  return parties;
}

/** One join/leave cycle of a visitor: connect, hello, request, chat (a helper
 * accepts), end it, close the socket and see the close. */
export async function oursVisitorCycle(port: number): Promise<void> {
  const p = await oursParty(port, 'visitor', {});
  const chat = p.w.until((f) => f['type'] === 'chat');
  p.ws.send(JSON.stringify(REQUEST));
  const chatId = (await chat)['chatId'];
  const ended = p.w.until((f) => f['type'] === 'ended');
  p.ws.send(JSON.stringify({ type: 'end', chatId }));
  await ended;
  const closed = new Promise((resolve) => p.ws.once('close', resolve));
  p.ws.close(1000);
  await closed;
}

/** Our service: pairs are a visitor and a helper in one chat. `sessions` are the
 * seeded helpers' tokens; each pair takes the next one (chat limit 1). */
export function oursTarget(port: number, sessions: readonly string[]): SignallingTarget {
  const all: WebSocket[] = [];
  let nextSession = 0;

  const endpointOf = (p: Party, chatId: string): Endpoint => {
    const to = p.peers.get(chatId);
    if (to === undefined) throw new Error(`no peer in ${chatId}`);
    const ep: Endpoint = {
      send: (kind, body) => p.ws.send(JSON.stringify(signalFrame(chatId, to, kind, body))),
      onSignal: () => undefined,
      terminate: () => p.ws.terminate(),
    };
    p.endpoint = ep;
    return ep;
  };

  return {
    get sockets() {
      return all.length;
    },
    async addPairs(_first, count) {
      if (nextSession + count > sessions.length) throw new Error('not enough helper sessions');
      const helpers: Party[] = [];
      await inPool(count, CONNECT_CONCURRENCY, async (i) => {
        helpers[i] = await oursParty(port, 'staff', { session: sessions[nextSession + i]! }, all);
      });
      nextSession += count;
      const visitors: { p: Party; chatId: string }[] = [];
      // Bounded concurrency keeps the queue short: it is not what S2 measures.
      await inPool(count, CONNECT_CONCURRENCY / 2, async (i) => {
        const p = await oursParty(port, 'visitor', {}, all);
        const chat = p.w.until((f) => f['type'] === 'chat');
        p.ws.send(JSON.stringify(REQUEST));
        const chatId = String((await chat)['chatId']);
        if (!p.peers.has(chatId)) {
          await p.w.until((f) => f['type'] === 'participants' && p.peers.has(chatId));
        }
        visitors[i] = { p, chatId };
      });
      // Each chat's helper is whoever was offered it; its participant list may still
      // be on the way when the visitor's has arrived.
      const helperOf = new Map<string, Party>();
      await pollUntil(
        'every helper to see its chat partner',
        () => {
          for (const h of helpers) for (const chatId of h.peers.keys()) helperOf.set(chatId, h);
          return visitors.every(({ chatId }) => helperOf.has(chatId));
        },
        OPEN_TIMEOUT_MS,
      );
      return visitors.map(({ p, chatId }) => {
        const helper = helperOf.get(chatId);
        if (helper === undefined) throw new Error(`no helper knows chat ${chatId} yet`);
        return { a: endpointOf(p, chatId), b: endpointOf(helper, chatId) };
      });
    },
    close: () => all.forEach((ws) => ws.terminate()),
  };
}
