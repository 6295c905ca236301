/**
 * A page's own connections, for tests that act as a person or an attacker would from
 * inside their browser: installed before the app loads, it keeps every WebSocket the
 * page opens (with the text frames it received) and every RTCDataChannel, in
 * `window.peerdeskHand`. From there a test can
 * - send any frame on the page's service socket, as a hostile page can;
 * - send any bytes on the page's data channel to a peer;
 * - take the page's network away and give it back: `cut()` closes its sockets and,
 *   until `restore()`, sends every new one to a path the service does not serve, so
 *   the app's reconnects fail as they would with the cable out.
 * The app itself is unchanged: it sees a lost connection and its own retries.
 */
import type { BrowserContext, Page } from '@playwright/test';

type Hand = {
  offline: boolean;
  sockets: WebSocket[];
  received: string[];
  channels: RTCDataChannel[];
  cut(): void;
  restore(): void;
};

declare global {
  interface Window {
    peerdeskHand: Hand;
  }
}

export async function handDrive(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const hand: Hand = {
      offline: false,
      sockets: [],
      received: [],
      channels: [],
      cut() {
        hand.offline = true;
        for (const s of hand.sockets) s.close(4000, 'network lost');
      },
      restore() {
        hand.offline = false;
      },
    };
    window.peerdeskHand = hand;
    const RealSocket = window.WebSocket;
    class HeldSocket extends RealSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        const target = new URL(url, location.href);
        if (hand.offline) target.pathname = '/ws/no-network';
        super(target, protocols);
        hand.sockets.push(this);
        this.addEventListener('message', (event) => {
          if (typeof event.data === 'string') hand.received.push(event.data);
        });
        this.addEventListener('close', () => {
          hand.sockets = hand.sockets.filter((s) => s !== this);
        });
      }
    }
    window.WebSocket = HeldSocket;
    const RealPc = window.RTCPeerConnection;
    if (RealPc === undefined) return;
    class HeldPc extends RealPc {
      constructor(config?: RTCConfiguration) {
        super(config);
        this.addEventListener('datachannel', (event) => hand.channels.push(event.channel));
      }
      override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
        const channel = super.createDataChannel(label, init);
        hand.channels.push(channel);
        return channel;
      }
    }
    window.RTCPeerConnection = HeldPc;
  });
}

export type ServiceFrame = { type: string; [key: string]: unknown };

/** Every text frame the page's service sockets received, decoded, oldest first. */
export async function receivedFrames(page: Page): Promise<ServiceFrame[]> {
  const texts = await page.evaluate(() => window.peerdeskHand.received);
  return texts.map((t) => JSON.parse(t) as ServiceFrame);
}

/** Sends one frame on the page's open service socket. */
export async function sendOnServiceSocket(page: Page, frame: object): Promise<void> {
  await page.evaluate((text) => {
    const open = window.peerdeskHand.sockets.filter((s) => s.readyState === WebSocket.OPEN);
    if (open.length !== 1) throw new Error(`${open.length} open service sockets`);
    open[0]!.send(text);
  }, JSON.stringify(frame));
}

/** Sends raw bytes on the page's newest open data channel; false when none is open. */
export async function sendOnDataChannel(page: Page, frames: Uint8Array[]): Promise<boolean> {
  return page.evaluate(
    (all) => {
      const open = window.peerdeskHand.channels.filter((c) => c.readyState === 'open');
      const channel = open[open.length - 1];
      if (channel === undefined) return false;
      for (const bytes of all) channel.send(new Uint8Array(bytes));
      return true;
    },
    frames.map((f) => [...f]),
  );
}

/** The page's network goes, as with the cable out: its sockets close and stay closed. */
export const cutNetwork = (page: Page): Promise<void> =>
  page.evaluate(() => window.peerdeskHand.cut());

export const restoreNetwork = (page: Page): Promise<void> =>
  page.evaluate(() => window.peerdeskHand.restore());
