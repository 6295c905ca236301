/**
 * Visitors on bare WebSockets for S8: each says hello, asks under its own name and
 * waits until a helper has accepted (`chat`). They never open a data channel: S8
 * measures the console, whose documents are written by the helpers themselves, so
 * the visitor only has to hold its place in the chat (the socket stays open until
 * `close`). Every frame is decoded with the protocol's schema.
 */
import * as v from 'valibot';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, ServiceToVisitor } from '../../../protocol/index.ts';

type VisitorMessage = v.InferOutput<typeof ServiceToVisitor>;

export class QueueVisitor {
  readonly #socket: WebSocket;
  readonly #seen: VisitorMessage[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data: Buffer) => {
      this.#seen.push(v.parse(ServiceToVisitor, JSON.parse(data.toString('utf8'))));
      for (const wake of [...this.#waiters]) wake();
    });
  }

  /** Connected, welcomed, and asking as `name`; resolves once queued. */
  static async ask(port: number, name: string): Promise<QueueVisitor> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/visitor`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const visitor = new QueueVisitor(socket);
    visitor.#send({ type: 'hello', v: PROTOCOL_VERSION, landingPage: 'https://example.test/' });
    await visitor.#next('welcome');
    const now = Date.now();
    visitor.#send({
      type: 'request',
      name,
      department: 'general',
      question: `${name} needs help with a long conversation`,
      page: { url: 'https://example.test/help', title: 'Help' },
      browser: { userAgent: 'Bench visitor', language: 'en' },
      sessionStartedAt: now,
      landingPage: 'https://example.test/',
    });
    await visitor.#next('queued');
    return visitor;
  }

  /** The chat's id once a helper has accepted. */
  async accepted(): Promise<string> {
    return (await this.#next('chat')).chatId;
  }

  close(): void {
    this.#socket.terminate();
  }

  #send(msg: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(msg));
  }

  async #next<T extends VisitorMessage['type']>(
    type: T,
  ): Promise<Extract<VisitorMessage, { type: T }>> {
    for (;;) {
      const found = this.#seen.find((m) => m.type === type || m.type === 'error');
      if (found?.type === 'error') throw new Error(`visitor refused: ${JSON.stringify(found)}`);
      if (found !== undefined) return found as Extract<VisitorMessage, { type: T }>;
      await new Promise<void>((wake) => {
        const once = (): void => {
          this.#waiters.delete(once);
          wake();
        };
        this.#waiters.add(once);
      });
    }
  }
}
