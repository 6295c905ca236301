/**
 * The link manager's decisions with a fake PeerLink and a fake clock: who links to
 * whom (SP-R1, SP-M2), who offers, which signals count, when a dead link is re-signalled,
 * and that signals wait for the service while open links stay up (B1).
 */
import { describe, expect, it } from 'vitest';
import {
  LinkManager,
  type LinkManagerEvent,
  type OutgoingSignal,
  type ParticipantsUpdate,
} from '../../../app/lib/peer/link-manager.ts';
import type { RelinkContext } from '../../../app/lib/peer/relink-policy.ts';
import type { ChatRole } from '../../../protocol/index.ts';
import { FakeClock, fakeLinkFactory } from './fake-peer-link.ts';

const CHAT = 'chat1';
const OPEN_TIMEOUT = 30_000;
const ANSWER_TIMEOUT = 5_000;
const OFFER = { kind: 'description', type: 'offer', sdp: 'v=0 offer' } as const;
const ANSWER = { kind: 'description', type: 'answer', sdp: 'v=0 answer' } as const;
const CANDIDATE = {
  kind: 'candidate',
  candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
} as const;

function setup(options: { service?: { up: boolean } } = {}) {
  const clock = new FakeClock();
  const factory = fakeLinkFactory();
  const sent: OutgoingSignal[] = [];
  const service = options.service ?? { up: true };
  const events: LinkManagerEvent[] = [];
  const delays: RelinkContext[] = [];
  let ids = 0;
  const manager = new LinkManager({
    chatId: CHAT,
    createLink: factory.create,
    sendSignal: (msg) => {
      if (!service.up) return false;
      sent.push(msg);
      return true;
    },
    timers: clock,
    random: () => 0.5,
    newLinkId: () => `link${++ids}`,
    policy: (context) => {
      delays.push(context);
      return 1000 * (context.attempt + 1);
    },
    openTimeoutMs: OPEN_TIMEOUT,
    answerTimeoutMs: ANSWER_TIMEOUT,
  });
  manager.subscribe((event) => events.push(event));
  return { clock, factory, sent, service, events, delays, manager };
}

function participants(
  self: string,
  list: [id: string, role: ChatRole, online?: boolean][],
): ParticipantsUpdate {
  return {
    chatId: CHAT,
    self,
    participants: list.map(([id, role, online]) => ({ id, role, online: online ?? true })),
  };
}

const signal = (from: string, link: string, data: OutgoingSignal['data']) =>
  ({ type: 'signal', chatId: CHAT, from, link, data }) as const;

describe('link manager', () => {
  it('SP-R1 SP-M2 a visitor links to helpers only, never to a monitor', () => {
    const { manager, factory } = setup();
    manager.setParticipants(
      participants('a-visitor', [
        ['a-visitor', 'visitor'],
        ['b-helper', 'helper'],
        ['c-monitor', 'monitor'],
      ]),
    );
    expect(manager.slot('b-helper')).toBe('connecting');
    expect(manager.slot('c-monitor')).toBeUndefined();
    expect(factory.links).toHaveLength(1);
  });

  it('SP-R1 SP-M2 a monitor links to helpers, not to the visitor nor another monitor', () => {
    const { manager } = setup();
    manager.setParticipants(
      participants('m1', [
        ['m1', 'monitor'],
        ['h1', 'helper'],
        ['m2', 'monitor'],
        ['v1', 'visitor'],
      ]),
    );
    expect(manager.slot('h1')).toBe('waiting'); // h1 < m1: h1 offers
    expect(manager.slot('m2')).toBeUndefined();
    expect(manager.slot('v1')).toBeUndefined();
  });

  it('a helper links to every other participant; the lower id offers', () => {
    const { manager, factory, sent } = setup();
    manager.setParticipants(
      participants('h2', [
        ['h1', 'helper'],
        ['h2', 'helper'],
        ['m9', 'monitor'],
        ['v9', 'visitor'],
      ]),
    );
    expect(manager.slot('h1')).toBe('waiting'); // h1 offers to us
    expect(manager.slot('m9')).toBe('connecting');
    expect(manager.slot('v9')).toBe('connecting');
    expect(factory.links.map((l) => l.initiator)).toEqual([true, true]);
    factory.links[0]!.emitSignal(OFFER);
    expect(sent).toEqual([
      // h1 offers; never linked to it from this page, we ask at once (a reload's case).
      { type: 'signal', chatId: CHAT, to: 'h1', link: 'link1', data: { kind: 'restart' } },
      { type: 'signal', chatId: CHAT, to: 'm9', link: 'link2', data: OFFER },
    ]);
  });

  it('the answering side creates its link from the offer and passes later signals on', () => {
    const { manager, factory, events } = setup();
    manager.setParticipants(
      participants('b', [
        ['a', 'visitor'],
        ['b', 'helper'],
      ]),
    );
    manager.handleSignal(signal('a', 'L1', OFFER));
    manager.handleSignal(signal('a', 'L1', CANDIDATE));
    const link = factory.links[0]!;
    expect(link.initiator).toBe(false);
    expect(link.received).toEqual([OFFER, CANDIDATE]);
    link.open();
    expect(events).toEqual([{ type: 'link-open', peer: 'a', linkId: 'L1', link }]);
    expect(manager.openPeers()).toEqual(['a']);
  });

  it('signals naming another link id than the current one are ignored (stale)', () => {
    const { manager, factory, sent } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    const link = factory.links[0]!;
    link.emitSignal(OFFER);
    manager.handleSignal(signal('b', 'old-link', ANSWER));
    manager.handleSignal(signal('b', 'old-link', CANDIDATE));
    expect(link.received).toEqual([]);
    manager.handleSignal(signal('b', sent[0]!.link, ANSWER));
    expect(link.received).toEqual([ANSWER]);
  });

  it('signals from someone who is not a linked participant are ignored', () => {
    const { manager, factory } = setup();
    manager.setParticipants(
      participants('v', [
        ['v', 'visitor'],
        ['z-helper', 'helper'],
      ]),
    );
    manager.handleSignal(signal('stranger', 'L1', OFFER));
    manager.handleSignal({ ...signal('z-helper', 'L1', OFFER), chatId: 'another-chat' });
    expect(factory.links).toHaveLength(1); // our own attempt: v < z-helper, so we offer
  });

  it('a dead link is destroyed and re-offered with a new link id after the policy delay', () => {
    const { manager, factory, sent, clock, events, delays } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    const first = factory.links[0]!;
    first.open();
    first.die('ice_failed');
    expect(events.at(-1)).toEqual({
      type: 'link-closed',
      peer: 'b',
      linkId: 'link1',
      reason: 'ice_failed',
    });
    expect(manager.slot('b')).toBe('waiting');
    expect(delays).toEqual([{ attempt: 0, reason: 'ice_failed', random: 0.5 }]);
    clock.advance(999);
    expect(factory.links).toHaveLength(1);
    clock.advance(1);
    const second = factory.links[1]!;
    expect(second.initiator).toBe(true);
    second.emitSignal(OFFER);
    expect(sent.at(-1)?.link).toBe('link2');
  });

  it('failures back off: each attempt waits longer until a link opens again', () => {
    const { manager, factory, clock, delays } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    for (let i = 0; i < 3; i++) {
      factory.links.at(-1)!.die('ice_failed');
      clock.advance(1000 * (i + 1)); // the pinned policy's delay for attempt i
    }
    expect(delays.map((d) => d.attempt)).toEqual([0, 1, 2]);
    expect(factory.links).toHaveLength(4);
    factory.links.at(-1)!.open();
    factory.links.at(-1)!.die('remote_closed');
    expect(delays.at(-1)?.attempt).toBe(0);
  });

  it('SP-IR1 renewed ICE servers: a link waiting out its back-off tries again at once', () => {
    const { manager, factory, clock, delays } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    for (let i = 0; i < 3; i++) {
      factory.links.at(-1)!.die('ice_failed');
      clock.advance(1000 * (i + 1));
    }
    factory.links.at(-1)!.die('ice_failed');
    // The fourth wait is 4 s under the pinned policy; fresh credentials end it now.
    expect(factory.links).toHaveLength(4);
    manager.retryNow();
    expect(factory.links).toHaveLength(5);
    expect(manager.slot('b')).toBe('connecting');
    // An attempt under way was made with the old servers: it is replaced too.
    manager.retryNow();
    expect(factory.links[4]!.destroyedWith).toBe('replaced');
    expect(factory.links).toHaveLength(6);
    // The back-off starts over: a failure of the new attempt waits the first delay.
    factory.links.at(-1)!.die('ice_failed');
    expect(delays.at(-1)?.attempt).toBe(0);
    // An open link is left alone.
    clock.advance(1000);
    factory.links.at(-1)!.open();
    manager.retryNow();
    expect(factory.links).toHaveLength(7);
    expect(factory.links.at(-1)!.destroyedWith).toBeNull();
  });

  it('SP-IR1 on the answering side, renewed ICE servers ask the initiator for an offer at once', () => {
    const { manager, factory, clock, sent } = setup();
    manager.setParticipants(
      participants('b', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    manager.handleSignal(signal('a', 'L1', OFFER));
    factory.links[0]!.die('ice_failed');
    const before = sent.length;
    manager.retryNow();
    expect(sent.slice(before)).toEqual([
      { type: 'signal', chatId: CHAT, to: 'a', link: 'L1', data: { kind: 'restart' } },
    ]);
    // Only once: the back-off's own restart was cancelled.
    clock.advance(1000);
    expect(sent.slice(before)).toHaveLength(1);
  });

  it('an answered attempt that does not open in time is given up and retried', () => {
    const { manager, factory, clock, events } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    factory.links[0]!.emitSignal(OFFER);
    manager.handleSignal(signal('b', 'link1', ANSWER));
    clock.advance(OPEN_TIMEOUT - 1);
    expect(factory.links[0]!.destroyedWith).toBeNull();
    clock.advance(1);
    expect(factory.links[0]!.destroyedWith).toBe('open_timeout');
    expect(events.at(-1)).toMatchObject({ type: 'link-closed', reason: 'open_timeout' });
    clock.advance(1000);
    expect(factory.links).toHaveLength(2);
  });

  it('an offer nothing came back for is given up after the answer timeout, each retry waiting longer', () => {
    // The offer went to a page that had not heard of us yet, or had gone: its owner waits
    // for it as long as we would, so waiting out the open timeout cost 30 s.
    const { manager, factory, clock, sent } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    factory.links[0]!.emitSignal(OFFER);
    clock.advance(ANSWER_TIMEOUT - 1);
    expect(factory.links[0]!.destroyedWith).toBeNull();
    clock.advance(1);
    expect(factory.links[0]!.destroyedWith).toBe('open_timeout');
    clock.advance(1000); // the relink policy's first delay (attempt 0)
    expect(factory.links).toHaveLength(2);
    factory.links[1]!.emitSignal(OFFER);
    expect(sent.at(-1)).toMatchObject({ to: 'b', link: 'link2', data: OFFER });
    // The second attempt waits twice as long for its answer.
    clock.advance(2 * ANSWER_TIMEOUT - 1);
    expect(factory.links[1]!.destroyedWith).toBeNull();
    // A candidate of that link proves the offer arrived: the open timeout applies.
    manager.handleSignal(signal('b', 'link2', CANDIDATE));
    clock.advance(OPEN_TIMEOUT - 2 * ANSWER_TIMEOUT);
    expect(factory.links[1]!.destroyedWith).toBeNull();
    clock.advance(1);
    expect(factory.links[1]!.destroyedWith).toBe('open_timeout');
  });

  it('the answering side waits the whole open timeout for its attempt to open', () => {
    const { manager, factory, clock } = setup();
    manager.setParticipants(
      participants('b', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    manager.handleSignal(signal('a', 'L1', OFFER));
    clock.advance(OPEN_TIMEOUT - 1);
    expect(factory.links[0]!.destroyedWith).toBeNull();
    clock.advance(1);
    expect(factory.links[0]!.destroyedWith).toBe('open_timeout');
  });

  it('the answering side asks for a restart naming its dead link, and the initiator re-offers', () => {
    const answerer = setup();
    answerer.manager.setParticipants(
      participants('b', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    answerer.manager.handleSignal(signal('a', 'L1', OFFER));
    answerer.factory.links[0]!.open();
    answerer.factory.links[0]!.die('ice_failed');
    answerer.clock.advance(1000);
    expect(answerer.sent.at(-1)).toEqual({
      type: 'signal',
      chatId: CHAT,
      to: 'a',
      link: 'L1',
      data: { kind: 'restart' },
    });

    const initiator = setup();
    initiator.manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    // Our first link dies; the second opens. A request naming the first is stale.
    initiator.factory.links[0]!.die('ice_failed');
    initiator.clock.advance(1000);
    const second = initiator.factory.links[1]!;
    second.open();
    initiator.manager.handleSignal(signal('b', 'link1', { kind: 'restart' }));
    expect(second.destroyedWith).toBeNull();
    initiator.manager.handleSignal(signal('b', 'link2', { kind: 'restart' }));
    expect(second.destroyedWith).toBe('remote_closed');
    expect(initiator.factory.links).toHaveLength(3);
    expect(initiator.manager.slot('b')).toBe('connecting');
  });

  it('a reloaded answering page asks at once, and the initiator replaces the open link to the page it left', () => {
    // The answering page, just reloaded: it has never had a link to the initiator.
    const reloaded = setup();
    reloaded.manager.setParticipants(
      participants('b', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    expect(reloaded.sent).toEqual([
      { type: 'signal', chatId: CHAT, to: 'a', link: 'link1', data: { kind: 'restart' } },
    ]);
    expect(reloaded.manager.slot('a')).toBe('waiting');

    // The initiator's link to the page that reloaded still looks open (its close not
    // noticed yet: no SCTP abort, ICE consent not yet failed).
    const initiator = setup();
    initiator.manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    const old = initiator.factory.links[0]!;
    old.open();
    initiator.manager.handleSignal(signal('b', 'fresh-id', { kind: 'restart' }));
    expect(old.destroyedWith).toBe('remote_closed');
    expect(initiator.factory.links).toHaveLength(2);
    expect(initiator.factory.links[1]!.initiator).toBe(true);
    expect(initiator.manager.slot('b')).toBe('connecting');
    // While that new link connects, a second such request changes nothing.
    initiator.manager.handleSignal(signal('b', 'another-fresh-id', { kind: 'restart' }));
    expect(initiator.factory.links).toHaveLength(2);
  });

  it('the answering side asks for an offer when none comes in time', () => {
    const { manager, sent, clock } = setup();
    manager.setParticipants(
      participants('b', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    expect(sent.map((m) => m.data)).toEqual([{ kind: 'restart' }]);
    clock.advance(OPEN_TIMEOUT - 1);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent.map((m) => m.data)).toEqual([{ kind: 'restart' }, { kind: 'restart' }]);
  });

  it("a new offer from the initiating side replaces the current link (the peer's reload)", () => {
    const { manager, factory, events } = setup();
    manager.setParticipants(
      participants('b', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    manager.handleSignal(signal('a', 'L1', OFFER));
    factory.links[0]!.open();
    manager.handleSignal(signal('a', 'L2', OFFER));
    expect(factory.links[0]!.destroyedWith).toBe('replaced');
    expect(factory.links[1]!.received).toEqual([OFFER]);
    expect(events.map((e) => e.type)).toEqual(['link-open', 'link-closed']);
  });

  it('B1 while the service is down open links stay up and new signals wait for resume()', () => {
    const { manager, factory, sent, service } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
        ['c', 'helper'],
      ]),
    );
    const [toB, toC] = factory.links;
    toB!.open();
    service.up = false;
    toC!.emitSignal(OFFER);
    toC!.emitSignal(CANDIDATE);
    expect(sent).toEqual([]);
    expect(toB!.destroyedWith).toBeNull();
    expect(manager.openPeers()).toEqual(['b']);
    service.up = true;
    manager.resume();
    expect(sent.map((m) => [m.to, m.data.kind])).toEqual([
      ['c', 'description'],
      ['c', 'candidate'],
    ]);
  });

  it('SP-R3 signals to an offline peer wait until it is online again', () => {
    const { manager, factory, sent } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    const link = factory.links[0]!;
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor', false],
      ]),
    );
    link.emitSignal(OFFER);
    expect(sent).toEqual([]);
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor', true],
      ]),
    );
    // Back online: what was under way is replaced by a fresh attempt, and the old
    // attempt's waiting offer is dropped rather than sent stale.
    expect(link.destroyedWith).toBe('replaced');
    expect(factory.links).toHaveLength(2);
    expect(sent).toEqual([]);
    factory.links[1]!.emitSignal(OFFER);
    expect(sent.map((m) => m.link)).toEqual(['link2']);
  });

  it('B1 an open link survives its peer going offline and online (a service restart)', () => {
    const { manager, factory } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    factory.links[0]!.open();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor', false],
      ]),
    );
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor', true],
      ]),
    );
    expect(factory.links).toHaveLength(1);
    expect(manager.openPeers()).toEqual(['b']);
  });

  it('a peer offline at the start is linked when it comes online', () => {
    const { manager, factory } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor', false],
      ]),
    );
    expect(factory.links).toHaveLength(0);
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    expect(factory.links).toHaveLength(1);
  });

  it('a participant who leaves has its link destroyed; leaving ourselves ends them all', () => {
    const { manager, factory, clock } = setup();
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
        ['c', 'helper'],
      ]),
    );
    manager.setParticipants(
      participants('a', [
        ['a', 'helper'],
        ['b', 'visitor'],
      ]),
    );
    expect(factory.links[1]!.destroyedWith).toBe('left');
    manager.setParticipants(participants('a', [['b', 'visitor']]));
    expect(factory.links[0]!.destroyedWith).toBe('left');
    clock.advance(10 * OPEN_TIMEOUT);
    expect(factory.links).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });

  it('destroy() ends every link and leaves no timer behind', () => {
    const { manager, factory, clock } = setup();
    manager.setParticipants(
      participants('b', [
        ['a', 'helper'],
        ['b', 'helper'],
        ['c', 'visitor'],
      ]),
    );
    manager.destroy();
    expect(factory.links.every((l) => l.destroyedWith === 'left')).toBe(true);
    expect(clock.pending).toBe(0);
  });
});
