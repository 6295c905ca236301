/** SPEC.md SP-U7: the visitor rated an ended chat; its helpers and the monitors are told. */
import * as v from 'valibot';
import { Stars } from './archive-views.ts';
import { LIMITS } from './limits.ts';
import { ChatId, Name, Timestamp } from './primitives.ts';

export const ChatRated = v.strictObject({
  type: v.literal('chat_rated'),
  chatId: ChatId,
  stars: Stars,
  at: Timestamp,
  /** Names as the chat had them, for the board: the chat itself has gone from it. */
  visitor: Name,
  helpers: v.pipe(v.array(Name), v.maxLength(LIMITS.maxBoardNames)),
});
export type ChatRated = v.InferOutput<typeof ChatRated>;
