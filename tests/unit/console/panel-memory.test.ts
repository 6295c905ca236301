/** What a chat's panel keeps while it is not mounted (app/lib/console/panel-memory.ts, benchmark S8). */
import { describe, expect, it } from 'vitest';
import { PanelMemories } from '../../../app/lib/console/panel-memory.ts';

describe('panel memory', () => {
  it('keeps one memory per chat, the same object each time, until the chat is gone', () => {
    const memories = new PanelMemories();
    const ann = memories.of('ann');
    ann.reply = 'Half a reply';
    ann.log.stick = false;
    ann.log.scrollTop = 120;
    memories.of('ben').note = 'A note';
    expect(memories.of('ann')).toBe(ann);
    expect(memories.of('ann').reply).toBe('Half a reply');
    expect(memories.of('ann').log).toMatchObject({ stick: false, scrollTop: 120 });

    memories.keepOnly(['ben']);
    expect(memories.size).toBe(1);
    expect(memories.of('ben').note).toBe('A note');
    expect(memories.of('ann')).toEqual({
      reply: '',
      note: '',
      log: { stick: true, seenCount: 0, unseen: false, pinned: null, scrollTop: 0 },
    });
  });
});
