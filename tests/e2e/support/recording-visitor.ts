/**
 * A visitor's browser context that records everything its pages receive: every
 * WebSocket frame of the visitor endpoint and every data-channel message (the widget
 * iframe's included), kept across page loads, so a test can prove that something
 * staff-only (a monitor, a staff note, a tag) never reached the visitor.
 */
import type { Browser, BrowserContext } from '@playwright/test';
import { decodeMessage, Reassembler } from '../../../protocol/index.ts';

/** What the visitor's widget received, kept across page loads. */
export type Received = { socket: string[]; channels: Map<number, Uint8Array[]> };

/** A visitor context that records every WebSocket frame and data-channel message
 * its pages receive (the widget iframe's included). */
export async function recordingVisitor(browser: Browser, baseURL: string) {
  const context: BrowserContext = await browser.newContext({ baseURL });
  const received: Received = { socket: [], channels: new Map() };
  await context.exposeBinding('peerdeskDataFrame', (_source, channel: number, bytes: number[]) => {
    const list = received.channels.get(channel) ?? [];
    list.push(Uint8Array.from(bytes));
    received.channels.set(channel, list);
  });
  await context.addInitScript(() => {
    const record = (window as unknown as { peerdeskDataFrame: (c: number, b: number[]) => void })
      .peerdeskDataFrame;
    const ids = new WeakMap<RTCDataChannel, number>();
    let next = Math.floor(Math.random() * 1e6) * 100;
    const property = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage')!;
    Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
      configurable: true,
      get() {
        return property.get!.call(this);
      },
      set(handler: ((event: MessageEvent) => void) | null) {
        const channel = this as RTCDataChannel;
        if (!ids.has(channel)) ids.set(channel, next++);
        property.set!.call(
          channel,
          handler === null
            ? null
            : (event: MessageEvent) => {
                const data = event.data as ArrayBuffer | string;
                if (typeof data !== 'string') {
                  record(ids.get(channel)!, Array.from(new Uint8Array(data)));
                }
                handler.call(channel, event);
              },
        );
      },
    });
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/ws/visitor')) return;
    ws.on('framereceived', (frame) => received.socket.push(String(frame.payload)));
  });
  return { page, received };
}

/** The wire messages (CHAT.md CH-D1–CH-D12) the visitor's data channels carried, decoded. */
export function dataMessages(received: Received): { type: string; payload: string }[] {
  const out: { type: string; payload: string }[] = [];
  for (const frames of received.channels.values()) {
    const reassembler = new Reassembler();
    for (const frame of frames) {
      const assembled = reassembler.push(frame);
      if (!assembled.ok || assembled.message === null) continue;
      const decoded = decodeMessage(assembled.message);
      if (!decoded.ok) continue;
      const m = decoded.message;
      const bytes =
        'update' in m ? m.update : 'stateVector' in m ? m.stateVector : new Uint8Array();
      out.push({ type: m.type, payload: Buffer.from(bytes).toString('latin1') });
    }
  }
  return out;
}
