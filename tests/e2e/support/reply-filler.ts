/**
 * Long conversations for layout tests: `count` numbered messages written through a
 * reply box, with the same input and Enter events a person makes, dispatched in
 * the page to spare hundreds of round trips (the messages are the scenery of those
 * tests; typing itself is tested elsewhere). Waits a frame between messages.
 */
import type { Locator } from '@playwright/test';

export async function writeReplies(
  replyBox: Locator,
  prefix: string,
  count: number,
): Promise<void> {
  await replyBox.evaluate(
    async (box, { prefix, count }) => {
      const reply = box as HTMLTextAreaElement;
      for (let i = 1; i <= count; i += 1) {
        reply.value = `${prefix} ${i}: ${'a line long enough to wrap '.repeat(i % 4)}`;
        reply.dispatchEvent(new Event('input', { bubbles: true }));
        reply.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    },
    { prefix, count },
  );
}
