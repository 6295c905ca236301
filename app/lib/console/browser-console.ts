/**
 * The console's outside things in a real browser: the staff connection is a
 * BrowserParticipant (one SignalClient, a ChatSession per chat), and offer alerts
 * are a short WebAudio beep, a Notification when permitted. The title badge is
 * rendered from the state by the page.
 */
import type { ServiceToStaff } from '$protocol';
import { BrowserParticipant } from '../session/browser-participant.ts';
import { archiveOnEnd } from '../archive/archive-on-end.ts';
import type { Connect, Offer, OfferAlerts } from './console-ports.ts';

const AVAILABLE_KEY = 'peerdesk.console.available';

/** `storage` remembers availability for this tab, so a reload or a reconnect does
 * not switch on a helper who had switched off: the hello carries it (SPEC.md SP-S2). */
export function browserConnect(storage: Storage): Connect {
  return (session, events) => {
    const kind = {
      kind: 'staff' as const,
      session,
      available: storage.getItem(AVAILABLE_KEY) !== 'false',
    };
    const archive = archiveOnEnd(session, (chatId, state) => events.onArchive?.(chatId, state));
    const participant: BrowserParticipant = new BrowserParticipant(kind, {
      onMessage: (msg) => {
        // The staff socket decodes with ServiceToStaff, so every message is one.
        const staff = msg as ServiceToStaff;
        // Before the session is let go (a microtask later): its document is the transcript.
        archive(staff, participant);
        if (staff.type === 'welcome' || staff.type === 'status') {
          // BrowserParticipant builds each hello from this object.
          kind.available = staff.available;
          storage.setItem(AVAILABLE_KEY, String(staff.available));
        }
        events.onMessage(staff);
      },
      onSession: (chat) => events.onSession(chat),
      onSessionClosed: (chatId) => events.onSessionClosed?.(chatId),
    });
    const off = participant.hub.subscribe((event) => {
      if (event.type === 'status') events.onOnline(event.online);
    });
    return {
      send: (msg) => participant.send(msg),
      close: async () => {
        off();
        await participant.close();
      },
    };
  };
}

/** F1: a beep (no sound file to fetch) and a browser notification. */
export function browserAlerts(): OfferAlerts {
  let audio: AudioContext | null = null;
  return {
    offer(offer: Offer) {
      try {
        audio ??= new AudioContext();
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.frequency.value = 880;
        gain.gain.value = 0.1;
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start();
        oscillator.stop(audio.currentTime + 0.2);
      } catch {
        // No audio device, or autoplay refused before any click: the other alerts remain.
      }
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        new Notification('Chat offer — Peerdesk', {
          body: `${offer.visitor.name}: ${offer.visitor.question}`,
          tag: `offer-${offer.chatId}`,
        });
      }
    },
  };
}
