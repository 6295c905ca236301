/**
 * Content-blind service, shown (issue 16; DESIGN.md: "the server never carries chat
 * content during a chat; it only archives the final transcript when the chat ends").
 *
 * Capture method: a tap on the service's transport, not tcpdump. The browsers talk
 * to a TCP proxy on loopback (tests/e2e/support/tcp-tap.ts) that forwards to the
 * service and keeps every byte both ways: the pages, the HTTP API and every
 * WebSocket frame, which it unmasks and reassembles. tcpdump would see the same
 * bytes but needs CAP_NET_RAW (root or a setcap'd binary), which a CI runner or a
 * fresh clone's user does not have, and its pcap would then need a TCP reassembler;
 * the tap runs as the test's own user, in the test's process. What could still hide
 * bytes from a search is ruled out by the test itself: no compressed WebSocket frame
 * (the tap strips permessage-deflate offers) and no compressed or chunked HTTP body.
 *
 * The chat is whole: messages both ways, a file each way, then the end. Nothing of
 * it passes the service while it lasts: no message text and no file bytes, searched
 * raw, base64 (at every alignment) and hex. The controls show the search would find
 * them: the visitor's question (which the service does carry, in the offer) is in
 * the chat-time capture, and after the end the helper's console uploads the final
 * transcript and the files (ARCHIVE_FILE_BYTES is set) through the same tap, where
 * the same search finds every message and both files.
 */
import { randomBytes } from 'node:crypto';
import { expect } from '@playwright/test';
import { test } from './support/base-test.ts';
import { closeAllContexts } from './console-steps.ts';
import { startDemoChat } from './support/demo-chat.ts';
import { startTap, type Range, type Tap } from './support/tcp-tap.ts';
import { startService, type RunningService } from './support/service.ts';
import { LINK_TIMEOUT, conversation } from './support/widget-drivers.ts';

let service: RunningService;
let tap: Tap;

test.beforeAll(async () => {
  // A service's first start compiles its TypeScript: slow on a loaded machine.
  test.setTimeout(120_000);
  service = await startService({ env: { ARCHIVE_FILE_BYTES: String(1024 * 1024) } });
  tap = await startTap(service.port);
});
test.afterAll(async () => {
  await tap?.stop();
  await service?.stop();
});
test.afterEach(closeAllContexts);

/** `bytes` as they would look in base64 at each of the three byte alignments, minus
 * the characters that mix in neighbouring bytes. */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (const pad of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    forms.push(encoded.slice(Math.ceil((pad * 4) / 3) + 1, -4));
  }
  return forms;
}

/** Every form a secret could travel in: raw, base64 (3 alignments), hex. */
function forms(secret: Buffer): Buffer[] {
  return [
    secret,
    ...base64Forms(secret).map((form) => Buffer.from(form, 'latin1')),
    Buffer.from(secret.toString('hex'), 'latin1'),
  ];
}

/** Whether any form of `secret` is in what passed during `range`. */
function found(secret: Buffer, range: Range): boolean {
  const parts = tap.capture(range);
  return forms(secret).some((form) => parts.some((part) => part.includes(form)));
}

/** Slices of a file spread over it: finding none of them means its bytes did not pass. */
function slicesOf(file: Buffer): Buffer[] {
  const size = 24;
  const step = Math.floor((file.byteLength - size) / 7);
  return Array.from({ length: 8 }, (_, i) => file.subarray(i * step, i * step + size));
}

test('the service never sees a chat message or a file: a tap on its transport during a whole chat', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const token = () => randomBytes(9).toString('hex');
  const question = `Question ${token()} about my printer`;
  const chat = await startDemoChat(browser, {
    baseURL: tap.url,
    helper: 'alice',
    visitorName: 'Tess',
    question,
  });
  const said = [
    `visitor says ${token()}`,
    `helper says ${token()}`,
    `visitor again ${token()} with ünïcödé and "quotes"`,
    `helper again ${token()}`,
  ];
  await chat.visitorSays(said[0]!);
  await chat.helperSays(said[1]!);
  await chat.visitorSays(said[2]!);
  await chat.helperSays(said[3]!);

  // A file each way, over the chat's data channel (CHAT.md CH-X4–CH-X12).
  const visitorFile = randomBytes(48 * 1024);
  const helperFile = randomBytes(40 * 1024);
  await chat.widget.getByLabel('Attach a file').setInputFiles({
    name: 'receipt.bin',
    mimeType: 'application/octet-stream',
    buffer: visitorFile,
  });
  await expect(chat.panel.getByRole('link', { name: 'Download receipt.bin' })).toBeVisible(
    LINK_TIMEOUT,
  );
  await chat.panel.getByLabel('Attach a file').setInputFiles({
    name: 'manual.bin',
    mimeType: 'application/octet-stream',
    buffer: helperFile,
  });
  await expect(
    conversation(chat.widget).getByRole('link', { name: 'Download manual.bin' }),
  ).toBeVisible(LINK_TIMEOUT);

  const chatOver = tap.mark();
  await chat.widget.getByRole('button', { name: 'End chat' }).click();
  await expect(chat.widget.getByRole('button', { name: 'Start a new chat' })).toBeVisible(
    LINK_TIMEOUT,
  );

  const during: Range = { to: chatOver };
  const secrets = said.map((text) => Buffer.from(/[0-9a-f]{18}/.exec(text)![0], 'latin1'));
  const fileSlices = [...slicesOf(visitorFile), ...slicesOf(helperFile)];

  // Everything went through the tap: pages, API and the sockets of both people, and
  // nothing in it is compressed or chunked (a byte search reads all of it).
  const totals = tap.totals();
  expect(totals.webSockets).toBeGreaterThanOrEqual(2);
  expect(totals.upBytes).toBeGreaterThan(1000);
  expect(totals.compressedFrames).toBe(0);
  expect(totals.encodedResponses).toBe(0);

  // The control during the chat: what the service is given (the question, in the
  // visitor's request frame, masked on the wire) is found, so the decoding works.
  expect(found(Buffer.from(question), during)).toBe(true);
  // The finding: no message and no file byte passed the service during the chat.
  for (const [i, secret] of secrets.entries()) {
    expect(found(secret, during), `message ${i + 1} passed the service`).toBe(false);
  }
  for (const [i, slice] of fileSlices.entries()) {
    expect(found(slice, during), `file slice ${i + 1} passed the service`).toBe(false);
  }

  // The control after the chat: the helper's console archives the transcript and
  // the files through the same tap, and the same search finds all of them there.
  const after: Range = { from: chatOver };
  await expect
    .poll(() => secrets.filter((secret) => found(secret, after)).length, LINK_TIMEOUT)
    .toBe(secrets.length);
  expect(fileSlices.filter((slice) => found(slice, after)).length).toBe(fileSlices.length);
});
