/**
 * Model-based property test of the switchboard (STYLE.md point 7): random command
 * sequences from visitors, helpers, trainees and monitors, with clock jumps and
 * restarts through the real SQLite storage, and the invariants of the issue
 * checked after every step. fast-check prints the seed and a shrunk sequence on
 * failure; re-run one with FC_SEED=<seed>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServiceToVisitor, SignalData } from '../../../protocol/index.ts';
import type {
  ConnId,
  Effect,
  SwitchboardIndexes,
  SwitchboardView,
} from '../../../signal/core/events.ts';
import { DEFAULT_CORE_CONFIG } from '../../../signal/core/events.ts';
import type { AccountRecord } from '../../../signal/core/records.ts';
import { createSwitchboard } from '../../../signal/core/switchboard.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../signal/storage/sqlite-storage.ts';
import { DEPARTMENTS, account, requestMsg } from '../../fixtures/core-driver.ts';

const VISITORS = 6;
const IPS = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
const STAFF: AccountRecord[] = [
  account('h0', 'helper', 1),
  account('h1', 'helper', 2),
  account('h2', 'helper', 3),
  account('t0', 'trainee', 2),
  account('m0', 'monitor', 2),
  account('a0', 'admin', 3),
];
const DEPTS = DEPARTMENTS.map((d) => d.id);
const SIGNAL: SignalData = {
  kind: 'candidate',
  candidate: 'candidate:1 1 udp 1 192.0.2.1 1 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

const idx = (n: number) => fc.nat({ max: n - 1 });
const staffIdx = idx(STAFF.length);
const visitorIdx = idx(VISITORS);
const chatPick = fc.nat({ max: 20 });

const command = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({ c: fc.constant('vHello' as const), v: visitorIdx, ip: idx(IPS.length) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      c: fc.constant('vRequest' as const),
      v: visitorIdx,
      dept: idx(DEPTS.length),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('vCancel' as const), v: visitorIdx }) },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant('vLeaveMessage' as const),
      v: visitorIdx,
      dept: idx(DEPTS.length),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('vEnd' as const), v: visitorIdx }) },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('vBind' as const),
      v: visitorIdx,
      clientId: fc.nat({ max: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('vDisconnect' as const), v: visitorIdx }) },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant('sHello' as const),
      s: staffIdx,
      available: fc.option(fc.boolean(), { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('sDisconnect' as const), s: staffIdx }) },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant('sAvailable' as const),
      s: staffIdx,
      available: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant('sLimit' as const),
      s: staffIdx,
      limit: fc.integer({ min: 0, max: 12 }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      c: fc.constant('sAccept' as const),
      s: staffIdx,
      chat: fc.option(chatPick, { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('sReject' as const),
      s: staffIdx,
      chat: fc.option(chatPick, { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('sInvite' as const),
      s: staffIdx,
      chat: chatPick,
      target: staffIdx,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ c: fc.constant('sInviteAccept' as const), s: staffIdx, chat: chatPick }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ c: fc.constant('sLeave' as const), s: staffIdx, chat: chatPick }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ c: fc.constant('sEnd' as const), s: staffIdx, chat: chatPick }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ c: fc.constant('sWatch' as const), s: staffIdx, chat: chatPick }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant('sBlock' as const),
      s: staffIdx,
      chat: chatPick,
      ip: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ c: fc.constant('sPromote' as const), s: staffIdx, target: staffIdx }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('sBind' as const),
      s: staffIdx,
      chat: chatPick,
      clientId: fc.nat({ max: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('signal' as const),
      s: staffIdx,
      chat: chatPick,
      toVisitor: fc.boolean(),
      target: staffIdx,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      c: fc.constant('advance' as const),
      ms: fc.constantFrom(
        1,
        1_000,
        DEFAULT_CORE_CONFIG.offerTimeoutMs,
        DEFAULT_CORE_CONFIG.helperGraceMs,
        DEFAULT_CORE_CONFIG.visitorGraceMs,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('restart' as const) }) },
);
type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

/** The system under test plus the bookkeeping an outside observer can do. */
class Run {
  now = 1_000_000;
  storage: SqliteStorage;
  core;
  visitorConn: (ConnId | null)[] = Array(VISITORS).fill(null);
  visitorIp: string[] = Array(VISITORS).fill(IPS[0]);
  staffConn: (ConnId | null)[] = Array(STAFF.length).fill(null);
  connCounter = 1;
  idCounter = 1;
  opened = new Set<string>();
  closed = new Map<string, string>();
  blockedVisitors = new Map<string, number>();
  blockedIps = new Map<string, number>();
  /** The last queue notice each connection was sent (SP-Q3). */
  /** Per chat, the first participant each client id was bound to (SP-P4). */
  owners = new Map<string, Map<number, string>>();
  lastQueued = new Map<ConnId, Extract<ServiceToVisitor, { type: 'queued' }>>();

  constructor() {
    this.storage = openSqliteStorage(':memory:');
    for (const d of DEPARTMENTS) this.storage.upsertDepartment(d);
    for (const a of STAFF) {
      this.storage.createAccount({ ...a, passwordHash: 'x', createdAt: 0, disabled: false });
    }
    this.core = this.boot();
  }

  boot() {
    return createSwitchboard(
      // Walks of two visitors a step, so that the queue notices of even these short
      // queues are cut into steps, with events between them.
      { ...DEFAULT_CORE_CONFIG, queueWalkStep: 2 },
      this.storage.loadSnapshot(this.now),
      (p) => `${p}${this.idCounter++}`,
      this.now,
    );
  }

  chatAt(pick: number): string | undefined {
    const chats = this.core.view().chats;
    return chats.length === 0 ? undefined : chats[pick % chats.length]!.chatId;
  }

  visitorChat(v: number): string | undefined {
    return this.core.view().chats.find((c) => c.visitorId === `v${v}`)?.chatId;
  }

  step(cmd: Command): void {
    const before = this.core.view();
    this.exec(cmd);
    this.check(before, cmd);
  }

  exec(cmd: Command): Effect[] {
    const handle = (e: Parameters<typeof this.core.handle>[0]) =>
      // A copy: the core reuses its array on the next call, and commands combine theirs.
      this.apply([...this.core.handle(e, this.now)]);
    const vConn = (v: number) => this.visitorConn[v] ?? null;
    const sConn = (s: number) => this.staffConn[s] ?? null;
    const staffMsg = (
      s: number,
      msg: Parameters<typeof this.core.handle>[0] & { type: 'staff_message' },
    ) => msg;
    switch (cmd.c) {
      case 'vHello': {
        const conn = this.connCounter++;
        this.visitorConn[cmd.v] = conn;
        this.visitorIp[cmd.v] = IPS[cmd.ip]!;
        return handle({
          type: 'visitor_hello',
          conn,
          ip: IPS[cmd.ip]!,
          visitor: { visitorId: `v${cmd.v}`, firstVisitAt: 1, firstLandingPage: '/' },
          token: 't',
          iceServers: [],
        });
      }
      case 'sHello': {
        const conn = this.connCounter++;
        this.staffConn[cmd.s] = conn;
        const acc = this.storage.findAccountById(STAFF[cmd.s]!.id)!;
        const { passwordHash: _p, createdAt: _c, disabled: _d, ...record } = acc;
        return handle({
          type: 'staff_hello',
          conn,
          ip: '198.51.100.1',
          account: record,
          chats: [],
          available: cmd.available,
          iceServers: [],
          relayOnly: false,
        });
      }
      case 'vDisconnect':
      case 'sDisconnect': {
        const conns = cmd.c === 'vDisconnect' ? this.visitorConn : this.staffConn;
        const i = cmd.c === 'vDisconnect' ? cmd.v : cmd.s;
        const conn = conns[i] ?? null;
        if (conn === null) return [];
        conns[i] = null;
        return handle({ type: 'disconnected', conn });
      }
      case 'advance': {
        const target = this.now + cmd.ms;
        const all: Effect[] = [];
        for (
          let next = this.core.nextDeadline();
          next !== null && next <= target;
          next = this.core.nextDeadline()
        ) {
          this.now = Math.max(this.now, next);
          all.push(...handle({ type: 'tick' }));
        }
        this.now = target;
        return all;
      }
      case 'restart': {
        this.core = this.boot();
        this.visitorConn.fill(null);
        this.staffConn.fill(null);
        return [];
      }
      default:
        break;
    }
    if (cmd.c.startsWith('v')) {
      const v = (cmd as { v: number }).v;
      // An actor who is not connected connects first, as a client would.
      const hello = vConn(v) === null ? this.exec({ c: 'vHello', v, ip: v % IPS.length }) : [];
      const conn = vConn(v);
      if (conn === null) return hello;
      const msg = ((): Parameters<typeof this.core.handle>[0] | null => {
        const chatId = this.visitorChat(v);
        switch (cmd.c) {
          case 'vRequest':
            return { type: 'visitor_message', conn, msg: requestMsg(DEPTS[cmd.dept]) };
          case 'vCancel':
            return { type: 'visitor_message', conn, msg: { type: 'cancel' } };
          case 'vLeaveMessage':
            return {
              type: 'visitor_message',
              conn,
              msg: { type: 'leave_message', name: 'V', department: DEPTS[cmd.dept]!, message: 'm' },
            };
          case 'vEnd':
            return chatId === undefined
              ? null
              : { type: 'visitor_message', conn, msg: { type: 'end', chatId } };
          case 'vBind':
            return chatId === undefined
              ? null
              : {
                  type: 'visitor_message',
                  conn,
                  msg: { type: 'bind', chatId, clientId: cmd.clientId },
                };
          default:
            return null;
        }
      })();
      return msg === null ? hello : [...hello, ...handle(msg)];
    }
    const s = (cmd as { s: number }).s;
    const hello = sConn(s) === null ? this.exec({ c: 'sHello', s, available: undefined }) : [];
    const conn = sConn(s);
    if (conn === null) return hello;
    const me = STAFF[s]!.id;
    const pick = 'chat' in cmd && cmd.chat !== undefined ? this.chatAt(cmd.chat) : undefined;
    const offered = this.core.view().staff.find((x) => x.accountId === me)?.offer ?? undefined;
    const target = 'target' in cmd ? STAFF[cmd.target]!.nickname : '';
    const chatId = pick ?? offered;
    const build = (): Parameters<typeof this.core.handle>[0] | null => {
      const m = (
        msg: Extract<Parameters<typeof this.core.handle>[0], { type: 'staff_message' }>['msg'],
      ) => staffMsg(s, { type: 'staff_message', conn, msg });
      switch (cmd.c) {
        case 'sAvailable':
          return m({ type: 'set_available', available: cmd.available });
        case 'sLimit':
          return m({ type: 'set_chat_limit', limit: cmd.limit });
        case 'sPromote':
          return m({ type: 'promote', nickname: target });
        default:
          break;
      }
      if (chatId === undefined) return null;
      switch (cmd.c) {
        case 'sAccept':
          return m({
            type: 'accept',
            chatId: cmd.chat === undefined ? (offered ?? chatId) : chatId,
          });
        case 'sReject':
          return m({
            type: 'reject',
            chatId: cmd.chat === undefined ? (offered ?? chatId) : chatId,
          });
        case 'sInvite':
          return m({ type: 'invite', chatId, nickname: target });
        case 'sInviteAccept':
          return m({ type: 'invite_accept', chatId });
        case 'sLeave':
          return m({ type: 'leave', chatId });
        case 'sEnd':
          return m({ type: 'end', chatId });
        case 'sWatch':
          return m({ type: 'watch', chatId });
        case 'sBlock':
          return m({ type: 'block', chatId, reason: 'abuse', ip: cmd.ip });
        case 'sBind':
          return m({ type: 'bind', chatId, clientId: cmd.clientId });
        case 'signal': {
          const chat = this.core.view().chats.find((c) => c.chatId === chatId);
          const to = cmd.toVisitor ? chat?.visitorId : STAFF[cmd.target]!.id;
          return to === undefined
            ? null
            : m({ type: 'signal', chatId, to, link: 'l', data: SIGNAL });
        }
        default:
          return null;
      }
    };
    const event = build();
    return event === null ? hello : [...hello, ...handle(event)];
  }

  apply(effects: Effect[]): Effect[] {
    for (const e of effects) {
      if (e.kind === 'persist') {
        this.storage.apply(e.change);
        const c = e.change;
        if (c.op === 'open_chat') this.opened.add(c.chat.chatId);
        if (c.op === 'close_chat') {
          expect(this.closed.has(c.chatId), `chat ${c.chatId} closed twice`).toBe(false);
          this.closed.set(c.chatId, c.outcome);
        }
        if (c.op === 'block') {
          this.blockedVisitors.set(c.block.visitorId, c.block.until);
          if (c.block.ip !== null) this.blockedIps.set(c.block.ip, c.block.until);
        }
      }
      // A blocked visitor never reaches a helper: judged in effect order, against
      // the blocks made so far.
      if (e.kind === 'send' && (e.msg.type === 'offer' || e.msg.type === 'invitation')) {
        expect(
          this.isBlocked(e.msg.visitor.visitorId, e.msg.visitor.ip),
          'offer of a blocked visitor',
        ).toBe(false);
      }
      if (e.kind === 'send' && e.msg.type === 'queued') this.lastQueued.set(e.conn, e.msg);
      if (e.kind === 'close') {
        for (const conns of [this.visitorConn, this.staffConn]) {
          const i = conns.indexOf(e.conn);
          if (i >= 0) conns[i] = null;
        }
      }
    }
    return effects;
  }

  isBlocked(visitorId: string, ip: string | undefined): boolean {
    const until = Math.max(
      this.blockedVisitors.get(visitorId) ?? 0,
      ip === undefined ? 0 : (this.blockedIps.get(ip) ?? 0),
    );
    return until > this.now;
  }

  check(before: SwitchboardView, cmd: Command): void {
    const view = this.core.view();
    const staff = new Map(view.staff.map((s) => [s.accountId, s]));
    const beforeStaff = new Map(before.staff.map((s) => [s.accountId, s]));
    for (const chat of view.chats) {
      // A chat is offered to at most one helper, never while it is held (SP-O3).
      if (chat.offeredTo !== null) {
        expect(chat.status).toBe('queued');
        const s = staff.get(chat.offeredTo);
        expect(s?.offer).toBe(chat.chatId);
        expect(s?.online && s.available && s.role !== 'trainee').toBe(true);
      }
      if (chat.status === 'active') {
        const helpers = chat.participants.filter((p) => p.role === 'helper');
        expect(helpers.length).toBeGreaterThan(0);
        for (const h of helpers) expect(staff.get(h.id)?.chats).toContain(chat.chatId);
        // A blocked visitor never reaches a helper.
        expect(this.isBlocked(chat.visitorId, undefined)).toBe(false);
      }
      // Client ids are bound to one participant only (SP-P2), present or departed (SP-P4).
      const holders = [...chat.participants, ...chat.former];
      const ids = holders.flatMap((p) => p.clientIds);
      expect(new Set(ids).size).toBe(ids.length);
      // SP-P4: once bound in a chat, an id never changes owner, whatever joined, left,
      // requeued or restarted in between.
      const owners = this.owners.get(chat.chatId) ?? new Map<number, string>();
      this.owners.set(chat.chatId, owners);
      for (const p of holders) {
        for (const id of p.clientIds) {
          const first = owners.get(id) ?? p.id;
          expect(first, `client id ${id} of chat ${chat.chatId} after ${cmd.c}`).toBe(p.id);
          owners.set(id, first);
        }
      }
      // Nor does it come loose: every id ever bound in the chat is still bound.
      for (const [id, owner] of owners) {
        expect(
          holders.some((p) => p.id === owner && p.clientIds.includes(id)),
          `client id ${id} of chat ${chat.chatId} unbound after ${cmd.c}`,
        ).toBe(true);
      }
    }
    for (const s of view.staff) {
      if (s.offer !== null)
        expect(view.chats.find((c) => c.chatId === s.offer)?.offeredTo).toBe(s.accountId);
      // No helper goes over their limit: a step that adds a chat leaves them within it (SP-L1).
      const had = beforeStaff.get(s.accountId)?.chats.length ?? 0;
      if (s.chats.length > had) expect(s.chats.length).toBeLessThanOrEqual(s.chatLimit);
      if (s.role === 'trainee') expect(s.offer).toBeNull();
    }
    // Every request ends exactly once: open ones are in the view, the rest are closed.
    const live = new Set(view.chats.map((c) => c.chatId));
    for (const id of this.opened)
      expect(live.has(id) !== this.closed.has(id), `chat ${id} after ${cmd.c}`).toBe(true);
    for (const [id, outcome] of this.closed) {
      expect(['cancelled', 'left_message', 'blocked', 'ended']).toContain(outcome);
      expect(live.has(id)).toBe(false);
    }
    this.checkIndexes(view, this.core.indexes());
    this.checkPositions(view, this.core.indexes().helpersOnline);
    if (cmd.c === 'restart') {
      // Nothing is lost across a restart: the same chats, places, participants and bindings.
      const shape = (v: SwitchboardView) =>
        v.chats
          .map((c) => ({ ...c, offeredTo: null }))
          .sort((a, b) => (a.chatId < b.chatId ? -1 : 1));
      expect(shape(view)).toEqual(shape(before));
    }
  }

  /** The core's maintained indexes agree with a plain scan of its state. */
  checkIndexes(view: SwitchboardView, indexes: SwitchboardIndexes): void {
    const queued = view.chats.filter((c) => c.status === 'queued').sort(queueOrder);
    for (const d of new Set([...Object.keys(indexes.queues), ...queued.map((c) => c.department)])) {
      // SP-Q1 SP-Q2: each department's queue holds its queued chats, returned first, then by age.
      const expected = queued.filter((c) => c.department === d).map((c) => c.chatId);
      expect(indexes.queues[d] ?? [], `queue of ${d}`).toEqual(expected);
    }
    const waiting = queued.filter((c) => c.offeredTo === null);
    expect(indexes.waiting, 'chats waiting for an offer').toEqual(waiting.map((c) => c.chatId));
    // SP-O1 SP-O2: the helpers who may be offered a chat, fewest chats, idle longest, lowest id.
    const online = view.staff.filter((s) => s.online && s.available && s.role !== 'trainee');
    const ready = online
      .filter((s) => s.offer === null && s.chats.length < s.chatLimit)
      .sort(
        (a, b) =>
          a.chats.length - b.chats.length ||
          a.lastBusyAt - b.lastBusyAt ||
          (a.accountId < b.accountId ? -1 : 1),
      );
    expect(indexes.readyHelpers, 'helpers ready for an offer').toEqual(
      ready.map((s) => ({
        accountId: s.accountId,
        activeChats: s.chats.length,
        lastBusyAt: s.lastBusyAt,
      })),
    );
    expect(indexes.helpersOnline).toBe(online.length);
    // SP-O6: no ready helper is left idle while a chat they have not rejected waits.
    for (const chat of waiting) {
      for (const s of ready) expect(chat.rejectedBy, `${s.accountId} idle`).toContain(s.accountId);
    }
  }

  /** SP-Q3: once no notice is due, every connected queued visitor was told where it stands. */
  checkPositions(view: SwitchboardView, helpersOnline: number): void {
    const next = this.core.nextDeadline();
    // A pending notice is due within queueNoticeMs; with none that soon, none is pending.
    if (next !== null && next <= this.now + DEFAULT_CORE_CONFIG.queueNoticeMs) return;
    const queued = view.chats.filter((c) => c.status === 'queued').sort(queueOrder);
    for (const chat of queued) {
      const conn = this.visitorConn[Number(chat.visitorId.slice(1))] ?? null;
      if (conn === null) continue;
      const position = queued.filter((c) => c.department === chat.department).indexOf(chat) + 1;
      expect(this.lastQueued.get(conn), `notice to ${chat.visitorId}`).toMatchObject({
        chatId: chat.chatId,
        position,
        helpersOnline,
      });
    }
  }
}

type ViewChat = SwitchboardView['chats'][number];

function queueOrder(a: ViewChat, b: ViewChat): number {
  if (a.returned !== b.returned) return a.returned ? -1 : 1;
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt - b.enqueuedAt;
  return a.chatId < b.chatId ? -1 : 1;
}

describe('switchboard model', () => {
  const numRuns = Number(process.env.FC_RUNS ?? 1000);
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  it(`SP-Q1 SP-Q2 SP-Q3 SP-O1 SP-O2 SP-O3 SP-O6 SP-L1 SP-B2 SP-Q6 SP-S1 SP-P2 SP-P4 the invariants hold after every step of ${numRuns} random sequences`, () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 5, maxLength: 80, size: 'max' }), (commands) => {
        const run = new Run();
        try {
          for (const cmd of commands) run.step(cmd);
        } finally {
          run.storage.close();
        }
      }),
      {
        numRuns,
        ...(seed === undefined ? {} : { seed }),
        // A named regression (issue 18): a visitor binds the id of a helper who left.
        examples: [
          [
            [
              { c: 'vRequest', v: 0, dept: 0 },
              { c: 'sAccept', s: 2, chat: undefined },
              { c: 'sBind', s: 2, chat: 0, clientId: 3 },
              { c: 'sLeave', s: 2, chat: 0 },
              { c: 'vBind', v: 0, clientId: 3 },
              { c: 'restart' },
              { c: 'vBind', v: 0, clientId: 3 },
            ],
          ],
        ],
      },
    );
  }, 120_000);
});
