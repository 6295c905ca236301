/**
 * Load-generator side of S10 (issue 16): what one service carries at once.
 *
 * - Idle visitors: a socket on /ws/visitor that says `hello` as the widget does and
 *   then stays quiet (the bare uWS contender's idle sockets send the same frame and
 *   get it echoed, so both sides' sockets have carried one frame).
 * - Live chats: `slots` visitors and as many helpers (chat limit 1), each visitor
 *   asking, the helper it is offered to accepting, then an SDP offer, an SDP answer
 *   and five ICE candidates each way relayed through the service, then the visitor
 *   ends the chat and asks again on the same socket. Request → offer is timed from
 *   the visitor's `request` to its helper's `offer` frame (matched by visitor id).
 * - Sockets past the limit: each opened, and its error frame and close code kept.
 */
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../protocol/index.ts';
import { inPool, within } from '../lib/deadline.ts';
import type { Refusal } from '../lib/refusals.ts';
import { fakeSdp } from '../scenarios/s2-signalling.ts';

type Frame = Record<string, unknown>;

const OPEN_CONCURRENCY = 200;
const STEP_TIMEOUT_MS = 60_000;
const CANDIDATES_EACH_WAY = 5;
const OFFER_SDP = fakeSdp('offer', 3 * 1024);
const ANSWER_SDP = fakeSdp('answer', 3 * 1024);
const CANDIDATE =
  'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXP5 network-cost 999';
const HELLO = JSON.stringify({
  type: 'hello',
  v: PROTOCOL_VERSION,
  landingPage: 'https://example.test/',
});

function request(name: string): string {
  return JSON.stringify({
    type: 'request',
    name,
    department: 'general',
    question: 'My browser will not start',
    page: { url: 'https://example.test/help', title: 'Help' },
    browser: { userAgent: 'Bench/1.0', language: 'en' },
    sessionStartedAt: 1_700_000_000_000,
    landingPage: 'https://example.test/',
  });
}

/** A socket with a frame waiter: `until` resolves on the first frame that matches. */
class Party {
  readonly ws: WebSocket;
  #pending: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  onFrame: (frame: Frame) => void = () => undefined;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.onFrame(frame);
      const hit = this.#pending.find((p) => p.match(frame));
      if (hit === undefined) return;
      this.#pending = this.#pending.filter((p) => p !== hit);
      hit.resolve(frame);
    });
  }

  opened(): Promise<void> {
    return within(
      'a socket to open',
      new Promise<void>((resolve, reject) => {
        this.ws.once('open', () => resolve());
        this.ws.once('error', reject);
      }),
      STEP_TIMEOUT_MS,
    );
  }

  until(what: string, match: (f: Frame) => boolean): Promise<Frame> {
    return within(
      what,
      new Promise<Frame>((resolve) => this.#pending.push({ match, resolve })),
      STEP_TIMEOUT_MS,
    );
  }

  async hello(body: string): Promise<Frame> {
    const reply = this.until('welcome', (f) => f['type'] === 'welcome' || f['type'] === 'error');
    this.ws.send(body);
    const frame = await reply;
    if (frame['type'] !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(frame)}`);
    return frame;
  }
}

/** `count` visitors connected and welcomed, then idle. */
export async function idleVisitors(port: number, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  await inPool(count, OPEN_CONCURRENCY, async (i) => {
    const p = new Party(`ws://127.0.0.1:${port}/ws/visitor`);
    await p.opened();
    await p.hello(HELLO);
    sockets[i] = p.ws;
  });
  return sockets;
}

/** `count` sockets on a bare echo, each having sent the widget's hello and had it back. */
export async function idleBare(port: number, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  await inPool(count, OPEN_CONCURRENCY, async (i) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    await within(
      'a bare socket to echo the hello',
      new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('message', () => resolve());
        ws.once('open', () => ws.send(HELLO));
      }),
      STEP_TIMEOUT_MS,
    );
    sockets[i] = ws;
  });
  return sockets;
}

/** Opens `count` sockets past the limit; resolves with how each one was sent away. */
export async function beyondLimit(port: number, count: number): Promise<Refusal[]> {
  const outcomes: Refusal[] = [];
  await inPool(count, OPEN_CONCURRENCY, async (i) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/visitor`, { perMessageDeflate: false });
    let errorCode: string | null = null;
    let welcomed = false;
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame['type'] === 'error' && typeof frame['code'] === 'string') errorCode = frame['code'];
      if (frame['type'] === 'welcome') {
        // Taken, not refused: recorded as such, and let go so the count goes on.
        welcomed = true;
        ws.close(1000);
      }
    });
    // A socket the service took would be welcomed: say hello as a widget would.
    ws.once('open', () => ws.send(HELLO));
    ws.on('error', () => undefined);
    const closeCode = await within(
      `socket ${i} past the limit to be closed`,
      new Promise<number>((resolve) => ws.once('close', (code) => resolve(code))),
      STEP_TIMEOUT_MS,
    );
    outcomes[i] = { closeCode, errorCode, welcomed };
  });
  return outcomes;
}

/** What a visitor's socket has heard, for the chat it is in. */
type Heard = {
  helperOf: Map<string, string>;
  signals: number;
  onRound: () => void;
};

export type LiveChats = {
  sockets: WebSocket[];
  /** Request → offer, in ms, one per chat so far. */
  offerMs: number[];
  /** Chats whose signalling round completed, per visitor slot. */
  completed: number[];
  /** Signals relayed (each counted once, on arrival). */
  frames: { count: number };
  /** Runs every slot's cycle until `done(slot)` says it may stop after a chat. */
  run(done: (slot: number) => boolean): Promise<void>;
};

/** `sessions.length` helpers and as many visitors, ready to cycle through chats. */
export async function liveChats(port: number, sessions: readonly string[]): Promise<LiveChats> {
  const sentAt = new Map<string, number>();
  const offerMs: number[] = [];
  const frames = { count: 0 };
  /** chatId → the helper that accepted it and whom it talks to. */
  const helperIn = new Map<string, { party: Party; visitorId: string }>();
  const helpers: Party[] = [];
  await inPool(sessions.length, OPEN_CONCURRENCY, async (i) => {
    const p = new Party(`ws://127.0.0.1:${port}/ws/staff`);
    p.onFrame = (f) => {
      if (f['type'] === 'offer') {
        const visitorId = String((f['visitor'] as Frame)['visitorId']);
        const at = sentAt.get(visitorId);
        if (at !== undefined) offerMs.push(performance.now() - at);
        sentAt.delete(visitorId);
        helperIn.set(String(f['chatId']), { party: p, visitorId });
        p.ws.send(JSON.stringify({ type: 'accept', chatId: f['chatId'] }));
      } else if (f['type'] === 'signal') {
        frames.count++;
        const chatId = String(f['chatId']);
        const data = f['data'] as Frame;
        const peer = helperIn.get(chatId);
        if (data['kind'] !== 'description' || peer === undefined) return;
        // The helper answers the offer and sends its candidates.
        const to = peer.visitorId;
        const signal = (body: object): void =>
          p.ws.send(JSON.stringify({ type: 'signal', chatId, to, link: 'l1', data: body }));
        signal({ kind: 'description', type: 'answer', sdp: ANSWER_SDP });
        for (let k = 0; k < CANDIDATES_EACH_WAY; k++)
          signal({ kind: 'candidate', candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 });
      }
    };
    await p.opened();
    await p.hello(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, session: sessions[i]! }));
    helpers[i] = p;
  });
  const visitors: { party: Party; visitorId: string; heard: Heard }[] = [];
  await inPool(sessions.length, OPEN_CONCURRENCY, async (i) => {
    const p = new Party(`ws://127.0.0.1:${port}/ws/visitor`);
    const heard: Heard = { helperOf: new Map(), signals: 0, onRound: () => undefined };
    p.onFrame = (f) => {
      const chatId = String(f['chatId']);
      if (f['type'] === 'participants') {
        const self = f['self'];
        const list = f['participants'] as { id: string; online: boolean }[];
        const other = list.find((x) => x.id !== self && x.online);
        if (other !== undefined) heard.helperOf.set(chatId, other.id);
      } else if (f['type'] === 'signal') {
        frames.count++;
        if (++heard.signals === 1 + CANDIDATES_EACH_WAY) heard.onRound();
      } else if (f['type'] === 'ended') {
        heard.helperOf.delete(chatId);
      }
    };
    await p.opened();
    const welcome = await p.hello(HELLO);
    visitors[i] = { party: p, visitorId: String(welcome['visitorId']), heard };
  });
  const completed = visitors.map(() => 0);

  /** One chat of slot `i`: ask, be accepted, exchange the round, end. */
  const chat = async (i: number): Promise<void> => {
    const { party: p, visitorId, heard } = visitors[i]!;
    const accepted = p.until('the chat to start', (f) => f['type'] === 'chat');
    sentAt.set(visitorId, performance.now());
    p.ws.send(request(`Visitor ${i}`));
    const chatId = String((await accepted)['chatId']);
    // The helper's id, from the participant list that names both (it may have come
    // with the `chat` frame or before it).
    const helperIdOf = (): string | undefined => heard.helperOf.get(chatId);
    if (helperIdOf() === undefined) {
      await p.until('the helper to be listed', () => helperIdOf() !== undefined);
    }
    const helperId = helperIdOf()!;
    const roundDone = new Promise<void>((resolve) => {
      heard.signals = 0;
      heard.onRound = resolve;
    });
    const signal = (body: object): void =>
      p.ws.send(JSON.stringify({ type: 'signal', chatId, to: helperId, link: 'l1', data: body }));
    signal({ kind: 'description', type: 'offer', sdp: OFFER_SDP });
    for (let k = 0; k < CANDIDATES_EACH_WAY; k++)
      signal({ kind: 'candidate', candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 });
    await within(`chat ${chatId}'s signals to be relayed`, roundDone, STEP_TIMEOUT_MS);
    const ended = p.until('the chat to end', (f) => f['type'] === 'ended');
    p.ws.send(JSON.stringify({ type: 'end', chatId }));
    await ended;
    helperIn.delete(chatId);
    completed[i]!++;
  };

  return {
    sockets: [...helpers.map((h) => h.ws), ...visitors.map((x) => x.party.ws)],
    offerMs,
    completed,
    frames,
    async run(done) {
      await Promise.all(
        visitors.map(async (_visitor, i) => {
          while (!done(i)) await chat(i);
        }),
      );
    },
  };
}
