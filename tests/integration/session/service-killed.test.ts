/**
 * B1, S2, S3 with chat sessions: the service is killed (SIGKILL, a child process)
 * in the middle of a chat over real WebRTC. The chat goes on peer to peer with
 * nothing lost; the service comes back on the same port and data folder, both
 * sides re-register by themselves, and the restarted relay re-signals a link that
 * dies afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { bodies, REQUEST, SessionParticipant, until } from './session-participant.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}

/** The service as its own process, so that SIGKILL is a real crash. */
class ServiceProcess {
  child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  async start(): Promise<void> {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'signal/main.ts', '--demo'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let healthy = false;
    await until('the service to answer /healthz', () => {
      void fetch(`http://127.0.0.1:${this.port}/healthz`).then(
        (r) => (healthy = r.ok),
        () => undefined,
      );
      return healthy;
    });
  }

  kill(): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async signIn(nickname: string): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname, password: DEMO_PASSWORD }),
    });
    const body = (await res.json()) as { token: string };
    return body.token;
  }
}

describe('chat sessions when the service is killed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-session-kill-'));
  const people: SessionParticipant[] = [];
  let service: ServiceProcess | null = null;

  afterAll(async () => {
    for (const p of people) await p.close();
    await service?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('B1 S2 S3 SIGKILL mid-chat: the chat goes on, nothing is lost, and both sides re-register when it returns', async () => {
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
    // S3: both reconnect by themselves; S2: the chat is re-attached on both sides.
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
