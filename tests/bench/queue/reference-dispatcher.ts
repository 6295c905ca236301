/**
 * S3's reference: the plainest dispatcher that keeps the same rules as our core
 * (protocol/SPEC.md SP-Q1–SP-Q3, SP-O1–SP-O4): one FIFO queue (returned chats first), and for
 * every chat to offer a scan over all helpers for the best eligible one (fewest
 * chats, then idle longest, then lowest id; not one who rejected it). Queued
 * visitors are told their position and estimated wait (position × the moving
 * average of the interval between accepts) when either changes, by walking the
 * queue on every change (the core folds the changes of each `queueNoticeMs` into
 * one notice per visitor, SP-Q3, SP-Q7). No indexes, no cleverness: it is the yardstick, not a design.
 */
import type { QueueDispatcher } from './dispatcher.ts';

type Helper = { id: number; chats: number; limit: number; lastBusyAt: number; offer: Chat | null };
type Chat = {
  visitor: number;
  enqueuedAt: number;
  returned: boolean;
  rejectedBy: Set<number>;
  offeredTo: Helper | null;
  toldPosition: number;
  toldWait: number | null;
};

export function createReferenceDispatcher(chatLimit: number): QueueDispatcher {
  const helpers: Helper[] = [];
  const queue: Chat[] = [];
  const active = new Map<number, Helper>();
  const offers = new Map<number, number>();
  let clock = 0;
  let sent = 0;
  // Messages are built, as the core builds them, then dropped: S3 has no sockets.
  let outbox: object[] = [];
  const post = (message: object): void => {
    outbox.push(message);
    sent++;
  };
  let pace: { lastAt: number; interval: number | null } | null = null;

  function tellPositions(): void {
    const interval = pace?.interval ?? null;
    for (let i = 0; i < queue.length; i++) {
      const chat = queue[i]!;
      const wait = interval === null ? null : Math.round(interval * (i + 1));
      if (chat.toldPosition !== i + 1 || chat.toldWait !== wait) {
        chat.toldPosition = i + 1;
        chat.toldWait = wait;
        post({
          type: 'queued',
          visitor: chat.visitor,
          position: i + 1,
          estimatedWaitMs: wait,
          helpersOnline: helpers.length,
        });
      }
    }
  }

  function noteAccept(): void {
    if (pace === null) {
      pace = { lastAt: clock, interval: null };
      return;
    }
    const interval = clock - pace.lastAt;
    pace.interval =
      pace.interval === null ? interval : Math.round(0.3 * interval + 0.7 * pace.interval);
    pace.lastAt = clock;
  }

  function bestHelperFor(chat: Chat): Helper | null {
    let best: Helper | null = null;
    for (const h of helpers) {
      if (h.offer !== null || h.chats >= h.limit || chat.rejectedBy.has(h.id)) continue;
      if (
        best === null ||
        h.chats < best.chats ||
        (h.chats === best.chats && h.lastBusyAt < best.lastBusyAt) ||
        (h.chats === best.chats && h.lastBusyAt === best.lastBusyAt && h.id < best.id)
      ) {
        best = h;
      }
    }
    return best;
  }

  function dispatch(): void {
    // The walk stops once every helper who could take an offer has one.
    let free = helpers.filter((h) => h.offer === null && h.chats < h.limit).length;
    for (const chat of queue) {
      if (free === 0) return;
      if (chat.offeredTo !== null) continue;
      const helper = bestHelperFor(chat);
      if (helper === null) continue;
      chat.offeredTo = helper;
      helper.offer = chat;
      helper.lastBusyAt = ++clock;
      offers.set(helper.id, chat.visitor);
      post({ type: 'offer', helper: helper.id, visitor: chat.visitor, expiresAt: clock + 20_000 });
      free--;
    }
  }

  function insert(chat: Chat): void {
    let at = queue.length;
    if (chat.returned) at = queue.findIndex((c) => !c.returned || c.enqueuedAt > chat.enqueuedAt);
    queue.splice(at < 0 ? queue.length : at, 0, chat);
  }

  function run(work: () => void): number {
    const before = sent;
    outbox = [];
    work();
    return sent - before;
  }

  return {
    offers,
    helperOnline(id) {
      helpers.push({ id, chats: 0, limit: chatLimit, lastBusyAt: 0, offer: null });
      run(dispatch);
    },
    request(visitor) {
      return run(() => {
        insert({
          visitor,
          enqueuedAt: ++clock,
          returned: false,
          rejectedBy: new Set(),
          offeredTo: null,
          toldPosition: 0,
          toldWait: null,
        });
        tellPositions();
        dispatch();
      });
    },
    accept(id) {
      return run(() => {
        clock++;
        const helper = helpers.find((h) => h.id === id)!;
        const chat = helper.offer!;
        helper.offer = null;
        offers.delete(id);
        queue.splice(queue.indexOf(chat), 1);
        helper.chats++;
        helper.lastBusyAt = ++clock;
        active.set(chat.visitor, helper);
        post({ type: 'chat', to: chat.visitor });
        post({ type: 'chat', to: helper.id });
        noteAccept();
        tellPositions();
        dispatch();
      });
    },
    reject(id) {
      return run(() => {
        const helper = helpers.find((h) => h.id === id)!;
        const chat = helper.offer!;
        helper.offer = null;
        offers.delete(id);
        chat.offeredTo = null;
        chat.rejectedBy.add(id);
        post({ type: 'offer_closed', to: id, reason: 'rejected' });
        dispatch();
      });
    },
    end(id, visitor) {
      return run(() => {
        const helper = active.get(visitor)!;
        if (helper.id !== id) throw new Error('ended by a helper not in the chat');
        active.delete(visitor);
        helper.chats--;
        post({ type: 'ended', to: visitor });
        post({ type: 'ended', to: id });
        dispatch();
      });
    },
    violations() {
      let broken = 0;
      const offered = new Set<Chat>();
      for (const h of helpers) {
        if (h.chats > h.limit) broken++;
        if (h.offer !== null) {
          if (offered.has(h.offer) || h.offer.offeredTo !== h) broken++;
          offered.add(h.offer);
        }
      }
      return broken;
    },
  };
}
