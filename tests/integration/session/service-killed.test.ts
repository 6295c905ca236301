/**
 * B1, SP-S2, SP-S3 with chat sessions: the service is killed (SIGKILL, a child process)
 * in the middle of a chat over real WebRTC. The chat goes on peer to peer with
 * nothing lost; the service comes back on the same port and data folder, both
 * sides re-register by themselves, and the restarted relay re-signals a link that
 * dies afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ServiceProcess, until } from '../../fixtures/service-process.ts';
import { bodies, REQUEST, SessionParticipant } from './session-participant.ts';

describe('chat sessions when the service is killed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-session-kill-'));
  const people: SessionParticipant[] = [];
  let service: ServiceProcess | null = null;

  afterAll(async () => {
    for (const p of people) await p.close();
    await service?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('B1 SP-S2 SP-S3 SIGKILL mid-chat: the chat goes on, nothing is lost, and both sides re-register when it returns', async () => {
    service = new ServiceProcess(await freePort(), dataDir);
    await service.start();
    const alice = SessionParticipant.staff(service.port, await service.signIn('alice'));
    const visitor = SessionParticipant.visitor(service.port);
    people.push(alice, visitor);
    await visitor.message('welcome');
    visitor.send(REQUEST);
    const offer = await alice.message('offer');
    alice.send({ type: 'accept', chatId: offer.chatId });
    const [atVisitor, atAlice] = await Promise.all([
      visitor.session(offer.chatId),
      alice.session(offer.chatId),
    ]);
    await until(
      'linked and bound',
      () =>
        atVisitor.view.connection.status === 'connected' &&
        atAlice.view.connection.status === 'connected' &&
        atVisitor.state.status === 'live' &&
        atAlice.state.status === 'live',
    );
    atVisitor.send('before the crash');
    await until('delivered', () => bodies(atAlice).includes('before the crash'));

    await service.kill();
    await until(
      'both see the service gone, the chat still linked',
      () =>
        atVisitor.view.connection.status === 'service-offline' &&
        atAlice.view.connection.status === 'service-offline',
    );
    // B1: the chat goes on without the service.
    atVisitor.send('while it is down');
    atAlice.send('still here, peer to peer');
    await until(
      'both ways without the service',
      () => bodies(atAlice).length === 3 && bodies(atVisitor).length === 3,
    );
    await until('nothing pending', () => atVisitor.view.messages.every((m) => !m.pending));

    const welcomes = (p: SessionParticipant) =>
      p.received.filter((m) => m.type === 'welcome').length;
    await service.start();
    // SP-S3: both reconnect by themselves; SP-S2: the chat is re-attached on both sides.
    await until('both welcomed again', () => welcomes(alice) >= 2 && welcomes(visitor) >= 2);
    await until(
      'connected again, everyone online',
      () =>
        atVisitor.view.connection.status === 'connected' &&
        atAlice.view.connection.status === 'connected' &&
        alice.received.some(
          (m, i) =>
            i > alice.received.findLastIndex((x) => x.type === 'welcome') - 1 &&
            m.type === 'participants' &&
            m.participants.every((p) => p.online),
        ),
    );
    expect(atVisitor.state.status).toBe('live');
    expect(atAlice.state.status).toBe('live');

    // The restarted relay re-signals a link that dies now.
    expect(visitor.cutLinks()).toBe(1);
    atAlice.send('after the restart');
    await until(
      'relinked through the restarted service',
      () =>
        bodies(atVisitor).includes('after the restart') &&
        atVisitor.view.connection.status === 'connected',
    );
    const expected = [
      'before the crash',
      'while it is down',
      'still here, peer to peer',
      'after the restart',
    ];
    await until('everything, once, on both sides', () => bodies(atAlice).length === 4);
    expect([...bodies(atVisitor)].sort()).toEqual([...expected].sort());
    expect([...bodies(atAlice)].sort()).toEqual([...expected].sort());
  }, 180_000);
});
