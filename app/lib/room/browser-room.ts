/**
 * The Contributors room in a real browser: a RoomModel riding on the console's staff
 * connection (the same socket as offers and chats: `withRoom` tees its messages),
 * the person's "left" choice kept for the tab in sessionStorage (a reload does not
 * rejoin someone who left), and mention alerts (SP-CR5): a short beep and a browser
 * notification when permitted; the badge is rendered from the model's view.
 */
import type { ErrorCode, RoomEntry, StaffToService } from '$protocol';
import type { Connect } from '../console/console-ports.ts';
import { isRoomServiceMessage, RoomModel } from './room-model.ts';

const LEFT_KEY = 'peerdesk.room.left';

export type BrowserRoom = { model: RoomModel; connect: Connect };

/** The model, and a `Connect` that wraps the console's own so the room shares its socket. */
export function browserRoom(nickname: string, inner: Connect, storage: Storage): BrowserRoom {
  let send: (msg: StaffToService) => boolean = () => false;
  const alertMention = mentionAlerts();
  const model = new RoomModel({
    send: (msg) => send(msg),
    newId: randomId,
    now: () => Date.now(),
    self: () => nickname,
    onMention: alertMention,
    left: storage.getItem(LEFT_KEY) === 'true',
    onLeftChange: (left) => {
      if (left) storage.setItem(LEFT_KEY, 'true');
      else storage.removeItem(LEFT_KEY);
    },
  });
  const connect: Connect = (token, events) => {
    const connection = inner(token, {
      ...events,
      onMessage: (msg) => {
        if (isRoomServiceMessage(msg)) return model.receive(msg);
        // Refusals of room frames are the room's to show (SP-CR8), not the console's banner.
        if (msg.type === 'error' && msg.ref?.startsWith('room_') === true) {
          return model.refused(msg.code as ErrorCode, msg.message);
        }
        events.onMessage(msg);
        if (msg.type === 'welcome') model.welcomed();
      },
      onOnline: (online) => {
        if (!online) model.offline();
        events.onOnline(online);
      },
    });
    send = (msg) => connection.send(msg);
    return connection;
  };
  return { model, connect };
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');
}

/** SP-CR5: someone named this person in the room. */
function mentionAlerts(): (entry: RoomEntry) => void {
  let audio: AudioContext | null = null;
  return (entry) => {
    try {
      audio ??= new AudioContext();
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = 660;
      gain.gain.value = 0.1;
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.15);
    } catch {
      // No audio device, or autoplay refused before any click: the other alerts remain.
    }
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      new Notification(`${entry.from?.name ?? 'Peerdesk'} mentioned you — Contributors room`, {
        body: entry.text.slice(0, 200),
        tag: `room-${entry.seq}`,
      });
    }
  };
}
