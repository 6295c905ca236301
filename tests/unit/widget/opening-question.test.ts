import { describe, expect, it } from 'vitest';
import {
  claimQuestion,
  keepQuestion,
  keptQuestion,
  questionToPost,
} from '../../../app/lib/widget/opening-question.ts';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

const text = (body: string, mine: boolean) => ({ kind: 'text' as const, body, mine });

describe('the question opens the transcript (issue 11)', () => {
  it('is posted once in the chat that opened for it', () => {
    const storage = memoryStorage();
    keepQuestion(storage, 'Where is my parcel?');
    const kept = keptQuestion(storage);
    expect(questionToPost(kept, 'chat-1', { messages: [] })).toBe('Where is my parcel?');
    const claimed = claimQuestion(storage, kept!, 'chat-1');
    expect(keptQuestion(storage)).toEqual({ text: 'Where is my parcel?', chatId: 'chat-1' });
    // Another chat (a later one, or someone else's) does not get it.
    expect(questionToPost(claimed, 'chat-2', { messages: [] })).toBeNull();
  });

  it('is not posted again once the transcript holds a message of the visitor (after a reload)', () => {
    const kept = { text: 'Where is my parcel?', chatId: 'chat-1' };
    const messages = [text('Where is my parcel?', true) as never];
    expect(questionToPost(kept, 'chat-1', { messages })).toBeNull();
  });

  it('is posted again after a reload that lost it before the client id was bound', () => {
    const kept = { text: 'Where is my parcel?', chatId: 'chat-1' };
    // Only the helper's words and page views are there: the question never made it.
    const messages = [
      text('Hello!', false) as never,
      { kind: 'page', body: 'Home', mine: true } as never,
    ];
    expect(questionToPost(kept, 'chat-1', { messages })).toBe('Where is my parcel?');
  });

  it('posts nothing without a question, and survives unreadable storage', () => {
    expect(questionToPost(null, 'chat-1', { messages: [] })).toBeNull();
    expect(questionToPost({ text: '  ', chatId: null }, 'chat-1', { messages: [] })).toBeNull();
    const storage = memoryStorage();
    storage.setItem('peerdesk.question', '{not json');
    expect(keptQuestion(storage)).toBeNull();
    storage.setItem('peerdesk.question', JSON.stringify({ text: 3 }));
    expect(keptQuestion(storage)).toBeNull();
  });
});
