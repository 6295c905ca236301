/**
 * Staff notes (CHAT.md CH-N1–CH-N8) and the visitor's presence relayed to monitors (CH-W5),
 * on the in-memory network of replicas: helpers and monitors share a second,
 * staff-only document; nothing of it ever crosses a link to the visitor.
 */
import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  encodeWireFrames,
  filterNotesUpdate,
  ParticipantBindings,
  Reassembler,
  StaffNotesDocument,
} from '../../../protocol/index.ts';
import { InMemoryNetwork } from '../../fixtures/in-memory-network.ts';

let net: InMemoryNetwork;
afterEach(() => net.destroy());

function network(): InMemoryNetwork {
  net = new InMemoryNetwork(5, [
    { id: 'v', role: 'visitor' },
    { id: 'h1', role: 'helper' },
    { id: 'h2', role: 'helper' },
    { id: 'm', role: 'monitor' },
  ]);
  return net;
}

/** Every wire message type that travelled from `from` to `to` while flushing. */
function trafficTypes(from: string, to: string, run: () => void): string[] {
  const pair = net.link(from, to)!;
  const queue = pair.a === from ? pair.queues[0] : pair.queues[1];
  const frames: Uint8Array[] = [];
  const push = queue.push.bind(queue);
  queue.push = (...items: Uint8Array[]) => {
    frames.push(...items);
    return push(...items);
  };
  run();
  const reassembler = new Reassembler();
  return frames.flatMap((f) => {
    const r = reassembler.push(f);
    if (!r.ok || !r.message) return [];
    const m = decodeMessage(r.message);
    return [m.ok ? m.message.type : m.code];
  });
}

describe('staff notes', () => {
  it('CH-N1 CH-N2 CH-N8 a monitor writes a note; every helper and monitor has it, the visitor never', () => {
    network().connectAll();
    net.flush();
    const toVisitor = trafficTypes('h1', 'v', () => {
      const posted = net.peer('m').replica.postNote('Ask for the order number first.');
      expect(posted.ok).toBe(true);
      // The control: what is for the visitor does cross that link.
      net.peer('h1').replica.post({ kind: 'text', body: 'Let me check.' });
      net.flush();
    });
    expect(toVisitor).toContain('sync-update');
    for (const id of ['h1', 'h2', 'm']) {
      expect(
        net
          .peer(id)
          .replica.notes()
          .map((n) => [n.body, n.author]),
      ).toEqual([['Ask for the order number first.', 'm']]);
    }
    expect(toVisitor.filter((t) => t.startsWith('notes'))).toEqual([]);
    const visitorDoc = net.peer('v').replica;
    expect(JSON.stringify(visitorDoc.doc.toJSON())).not.toContain('order number');
    expect(visitorDoc.notes()).toEqual([]);
  });

  it('CH-N2 CH-N8 a late staff member gets the earlier notes by the notes sync; the visitor link carries none', () => {
    network();
    net.connect('v', 'h1');
    net.connect('h1', 'm');
    net.flush();
    net.peer('h1').replica.postNote('Refund approved by Sam.');
    net.peer('m').replica.postNote('Good tone.');
    net.flush();
    net.connect('v', 'h2');
    const types = trafficTypes('h2', 'v', () => {
      net.connect('h1', 'h2');
      net.flush();
    });
    expect(types).toContain('sync-step2');
    expect(types.some((t) => t.startsWith('notes'))).toBe(false);
    expect(
      net
        .peer('h2')
        .replica.notes()
        .map((n) => n.body)
        .sort(),
    ).toEqual(['Good tone.', 'Refund approved by Sam.']);
  });

  it('CH-N2 notes from or to the visitor are refused and drop the link', () => {
    network();
    net.connect('v', 'h1');
    net.flush();
    const h1 = net.peer('h1');
    const pair = net.link('v', 'h1')!;
    const toH1 = pair.a === 'v' ? pair.queues[0] : pair.queues[1];
    const update = Y.encodeStateAsUpdate(new Y.Doc());
    for (const f of encodeWireFrames(99, encodeMessage({ type: 'notes-update', update }))) {
      toH1.push(f);
    }
    net.flush();
    expect(h1.events).toContainEqual(
      expect.objectContaining({ type: 'refused', peer: 'v', code: 'unknown_message' }),
    );
  });

  it('CH-N6 a monitor may write only its own notes', () => {
    network();
    const bindings = new ParticipantBindings(
      [...net.peer('h1').replica.bindings.participants()].map((p) => ({
        ...p,
        clientIds: [...p.clientIds],
      })),
    );
    const m = bindings.participant('m')!;
    const h1 = bindings.participant('h1')!;
    const v = bindings.participant('v')!;
    const as = (client: number, write: (notes: StaffNotesDocument, doc: Y.Doc) => void) => {
      const doc = new Y.Doc();
      doc.clientID = client;
      write(new StaffNotesDocument(doc), doc);
      return Y.encodeStateAsUpdate(doc);
    };
    const own = as([...m.clientIds][0]!, (n) => n.post('mine', 1));
    expect(filterNotesUpdate(own, m, bindings)).toEqual({ ok: true });
    const helperNote = as([...h1.clientIds][0]!, (n) => n.post('a helper note', 1));
    expect(filterNotesUpdate(helperNote, m, bindings)).toMatchObject({ code: 'foreign_struct' });
    expect(filterNotesUpdate(helperNote, h1, bindings)).toEqual({ ok: true });
    const elsewhere = as([...m.clientIds][0]!, (_n, doc) => doc.getMap('notes').set('x.y', 'z'));
    expect(filterNotesUpdate(elsewhere, m, bindings)).toMatchObject({ code: 'invalid_entry' });
    const wrongKey = as([...m.clientIds][0]!, (_n, doc) =>
      doc.getMap('notes').set(`1.abcdefghijklmnop`, { body: 'b', at: 1, seq: 1 }),
    );
    expect(filterNotesUpdate(wrongKey, m, bindings)).toMatchObject({
      code: 'forbidden_location',
    });
    // CH-N5: nobody takes a note under the visitor's client id, even from a helper.
    const visitorNote = as([...v.clientIds][0]!, (n) => n.post('forged', 1));
    expect(filterNotesUpdate(visitorNote, h1, bindings)).toMatchObject({
      code: 'foreign_struct',
    });
    expect(filterNotesUpdate(own, v, bindings)).toMatchObject({ code: 'unknown_message' });
  });
});

describe('the visitor presence for monitors', () => {
  it('CH-W5 a helper relays the visitor typing preview and page to the monitor; it leaves with the link', () => {
    network();
    net.connect('v', 'h1');
    net.connect('h1', 'm');
    net.flush();
    const page = { url: 'https://shop.example/cart', title: 'Cart' };
    net.peer('v').replica.setPresence({ typing: true, focus: 'focused', draft: 'My ord', page });
    net.flush();
    expect(net.peer('m').replica.presence().get('v')).toEqual({
      typing: true,
      focus: 'focused',
      draft: 'My ord',
      page,
    });
    // A monitor linking later sees the presence as it is.
    net.connect('h2', 'v');
    net.connect('h2', 'm');
    net.flush();
    expect(net.peer('m').events.filter((e) => e.type === 'refused')).toEqual([]);
    net.link('v', 'h1')!.fail();
    net.link('v', 'h2')!.fail();
    net.flush();
    expect(net.peer('m').replica.presence().has('v')).toBe(false);
  });
});
