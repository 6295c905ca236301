/**
 * SPEC.md SP-P5: a security event is told once per chat, reporter, peer and code in the
 * quiet time, and the service forgets a chat's events when the chat closes, so what
 * it keeps is bounded by the chats open now.
 */
import { describe, expect, it } from 'vitest';
import {
  SECURITY_EVENT_QUIET_MS,
  SecurityEventGate,
} from '../../../signal/core/security-events.ts';
import { CoreDriver, account, requestMsg } from '../../fixtures/core-driver.ts';

const report = (chatId: string, peer = 'v1') =>
  ({ chatId, reporter: 'alice', peer, code: 'foreign_struct' }) as const;

describe('SP-P5 security events: told once in the quiet time, forgotten with the chat', () => {
  it('SP-P5 admits a report once in the quiet time, each chat, peer and code on its own', () => {
    const gate = new SecurityEventGate();
    expect(gate.admit(report('c1'), 0)).toBe(true);
    expect(gate.admit(report('c1'), SECURITY_EVENT_QUIET_MS - 1)).toBe(false);
    expect(gate.admit(report('c2'), 1)).toBe(true);
    expect(gate.admit(report('c1', 'v2'), 1)).toBe(true);
    expect(gate.admit({ ...report('c1'), code: 'seq_ahead' }, 1)).toBe(true);
    expect(gate.admit(report('c1'), SECURITY_EVENT_QUIET_MS)).toBe(true);
    expect(gate.size()).toBe(4);
    expect(gate.size('c1')).toBe(3);
  });

  it('SP-P5 forgets a chat, and only that chat', () => {
    const gate = new SecurityEventGate();
    gate.admit(report('c1'), 0);
    gate.admit(report('c1', 'v2'), 0);
    gate.admit(report('c2'), 0);
    gate.forgetChat('c1');
    expect(gate.size('c1')).toBe(0);
    expect(gate.size()).toBe(1);
    // Forgotten means a later report counts again (a new chat could reuse nothing else).
    expect(gate.admit(report('c1'), 1)).toBe(true);
    expect(gate.admit(report('c2'), 1)).toBe(false);
  });

  it('SP-P5 the switchboard keeps a chat’s events while it is open and drops them when it ends', () => {
    const d = new CoreDriver();
    d.staff(account('molly', 'monitor'), { available: false });
    const chats: { chatId: string; helper: number }[] = [];
    for (const [i, visitorId] of ['v1', 'v2', 'v3'].entries()) {
      // A helper of its own for each chat: no pacing of one helper's offers in the way.
      const helper = d.staff(account(`helper${i}`));
      d.fromVisitor(d.visitor(visitorId, `203.0.113.${i + 1}`), requestMsg());
      const chatId = d.pendingOffer(helper)!;
      expect(chatId).not.toBeNull();
      d.fromStaff(helper, { type: 'accept', chatId });
      d.fromStaff(helper, {
        type: 'peer_refused',
        chatId,
        peer: visitorId,
        code: 'foreign_struct',
      });
      d.fromStaff(helper, { type: 'peer_refused', chatId, peer: visitorId, code: 'seq_ahead' });
      chats.push({ chatId, helper });
    }
    expect(d.core.indexes().securityEvents).toBe(6);
    const [first, ...rest] = chats;
    d.fromStaff(first!.helper, { type: 'end', chatId: first!.chatId });
    expect(d.core.indexes().securityEvents).toBe(4);
    for (const { chatId, helper } of rest) d.fromStaff(helper, { type: 'end', chatId });
    expect(d.core.indexes().securityEvents).toBe(0);
  });
});
