/**
 * B5 with a real TURN server (issue 16): Debian's coturn on a loopback port with a
 * shared secret; the service mints TURN REST credentials for signed-in staff, and
 * with RELAY_ONLY_HELPERS=true a chat between the real widget (on /demo) and the
 * real console works while the visitor's side never learns the helper's address:
 * every candidate the visitor is given is a relay candidate, and the pair in use
 * has a relay candidate at its remote end. On loopback every address is 127.0.0.1,
 * so the assertion is about candidate types (which the browser derives from where a
 * candidate came from), read from the candidates and from getStats().
 *
 * Renewal (SPEC.md SP-IR1): with a service minting 10-second credentials, a console
 * kept open well past its welcome's credentials fetches fresh ones from
 * `GET /api/ice` and links a new chat through the relay.
 *
 * Expired credentials: the same service, but the console cannot reach `GET /api/ice`
 * (the test aborts it), so its welcome's credentials have expired by the time it
 * accepts a chat. coturn refuses them (its log says so) and the chat's panel says so
 * in words.
 */
import { expect, type BrowserContext } from '@playwright/test';
import { test } from './support/base-test.ts';
import { startTurnServer, type RunningTurn } from '../fixtures/turn-server.ts';
import { closeAllContexts } from './console-steps.ts';
import { startDemoChat } from './support/demo-chat.ts';
import { rtcReport, spyOnRtc } from './support/rtc-spy.ts';
import { startService, type RunningService } from './support/service.ts';
import { LINK_TIMEOUT } from './support/widget-drivers.ts';

let turn: RunningTurn;
let service: RunningService;

test.beforeAll(async () => {
  // A service's first start compiles its TypeScript: slow on a loaded machine.
  test.setTimeout(120_000);
  turn = await startTurnServer();
  service = await startService({
    env: {
      // Visitors get STUN only (from the same coturn): their server-reflexive
      // candidate is a real address the relay can reach, where Chromium hides host
      // candidates behind mDNS names, as on the internet.
      ICE_SERVERS: JSON.stringify([{ urls: `stun:127.0.0.1:${turn.port}` }]),
      TURN_SECRET: turn.secret,
      TURN_URLS: turn.url,
      RELAY_ONLY_HELPERS: 'true',
    },
  });
});
test.afterAll(async () => {
  await service?.stop();
  await turn?.stop();
});
test.afterEach(closeAllContexts);

test('B5 relay-only helper: the chat works and the visitor only ever sees relay candidates', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const chat = await startDemoChat(browser, {
    baseURL: service.url,
    helper: 'alice',
    visitorName: 'Rhea',
    question: 'Can you see where I am?',
    prepare: (context) => spyOnRtc(context),
  });
  await chat.visitorSays('Hello through the relay');
  await chat.helperSays('Hello back, from behind it');

  // The helper asked for relay candidates only, from our coturn, with minted credentials.
  const helperSide = await rtcReport(chat.helper.mainFrame());
  expect(helperSide.iceTransportPolicies.length).toBeGreaterThan(0);
  expect(new Set(helperSide.iceTransportPolicies)).toEqual(new Set(['relay']));
  expect(helperSide.local.length).toBeGreaterThan(0);
  expect(helperSide.local.every((c) => c.type === 'relay')).toBe(true);

  // The visitor: the widget's frame inside the /demo page.
  const widgetFrame = chat.visitor.frames().find((f) => f.url().includes('/widget'));
  expect(widgetFrame).toBeDefined();
  const visitorSide = await rtcReport(widgetFrame!);
  expect(visitorSide.iceTransportPolicies).toContain('all');
  // Every candidate the helper sent the visitor is a relay candidate …
  expect(visitorSide.received.length).toBeGreaterThan(0);
  for (const line of visitorSide.received) expect(line).toMatch(/ typ relay( |$)/);
  // … so is every remote candidate the visitor's browser knows (a peer-reflexive one
  // would show a helper address learnt from a connectivity check) …
  expect(visitorSide.remote.length).toBeGreaterThan(0);
  expect(visitorSide.remote.map((c) => c.type)).toEqual(visitorSide.remote.map(() => 'relay'));
  // … and the pair in use reaches the helper through coturn's relay port.
  expect(visitorSide.selected.length).toBeGreaterThan(0);
  for (const pair of visitorSide.selected) {
    expect(pair.remote.type).toBe('relay');
    expect(helperSide.local.map((c) => c.port)).toContain(pair.remote.port);
  }
});

/** The expiry (epoch seconds) of the TURN credentials in the last welcome a page of
 * the context received (TURN REST username `<expiry>:<participant>`). */
function watchTurnExpiry(context: BrowserContext): () => number | null {
  let expiry: number | null = null;
  context.on('page', (page) =>
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        if (typeof payload !== 'string' || !payload.includes('"welcome"')) return;
        const found = /"username":"(\d+):/.exec(payload);
        if (found) expiry = Number(found[1]);
      }),
    ),
  );
  return () => expiry;
}

/** A service minting 10-second TURN credentials, relay-only helpers. */
function shortLivedService(): Promise<RunningService> {
  return startService({
    env: {
      ICE_SERVERS: JSON.stringify([{ urls: `stun:127.0.0.1:${turn.port}` }]),
      TURN_SECRET: turn.secret,
      TURN_URLS: turn.url,
      TURN_TTL_SECONDS: '10',
      RELAY_ONLY_HELPERS: 'true',
    },
  });
}

test('SP-IR1 a relay-only console open past its credentials renews them from /api/ice and links a new chat', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const shortLived = await shortLivedService();
  try {
    let expiry: () => number | null = () => null;
    const renewed: number[] = [];
    const chat = await startDemoChat(browser, {
      baseURL: shortLived.url,
      helper: 'alice',
      visitorName: 'Nora',
      question: 'Still on relay?',
      prepare: async (context, who) => {
        if (who === 'helper') {
          expiry = watchTurnExpiry(context);
          context.on('response', (response) => {
            if (!response.url().endsWith('/api/ice')) return;
            void response.json().then((body: { iceServers: { username?: string }[] }) => {
              const found = body.iceServers
                .map((server) => /^(\d+):/.exec(server.username ?? ''))
                .find((match) => match !== null);
              if (found) renewed.push(Number(found[1]));
            });
          });
          return;
        }
        // The visitor comes once the welcome's credentials have expired.
        await expect.poll(expiry, { timeout: 10_000 }).not.toBeNull();
        await expect
          .poll(() => Date.now() / 1000 > expiry()! + 1, { timeout: 30_000, intervals: [250] })
          .toBe(true);
      },
    });
    // The console renewed them before they lapsed, and the chat links through the relay.
    expect(renewed.length).toBeGreaterThan(0);
    expect(Math.max(...renewed)).toBeGreaterThan(expiry()!);
    await expect(chat.widget.getByRole('status').filter({ hasText: /^Connected$/ })).toHaveCount(
      1,
      LINK_TIMEOUT,
    );
    // Waits for the words in the helper's conversation log.
    await chat.visitorSays('hello through a renewed relay');
    await expect(
      chat.panel.getByRole('alert').filter({ hasText: "refused this console's relay credentials" }),
    ).toHaveCount(0);
  } finally {
    await shortLived.stop();
  }
});

test('B5 expired TURN credentials that could not be renewed: coturn refuses them and the console says so in words', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const shortLived = await shortLivedService();
  try {
    let expiry: () => number | null = () => null;
    const chat = await startDemoChat(browser, {
      baseURL: shortLived.url,
      helper: 'alice',
      visitorName: 'Ezra',
      question: 'Is anyone there?',
      prepare: async (context, who) => {
        if (who === 'helper') {
          expiry = watchTurnExpiry(context);
          // The service cannot be asked for fresh credentials (SPEC.md SP-IR1 fails).
          await context.route('**/api/ice', (route) => route.abort());
          return;
        }
        // The helper is signed in: the visitor comes once the console's credentials
        // have expired (the condition itself, read from the welcome).
        await expect.poll(expiry, { timeout: 10_000 }).not.toBeNull();
        await expect
          .poll(() => Date.now() / 1000 > expiry()! + 1, { timeout: 30_000, intervals: [250] })
          .toBe(true);
      },
    });
    const notice = chat.panel
      .getByRole('alert')
      .filter({ hasText: "refused this console's relay credentials" });
    await expect(notice).toContainText(/they expired at .+\(TURN error 401/, LINK_TIMEOUT);
    await expect(notice).toContainText('keeps asking Peerdesk for fresh ones');
    await expect(notice).not.toContainText('reload');
    // coturn's own word for it: that username (expiry and all) is no longer valid.
    expect(turn.output()).toContain(`Cannot find credentials of user <${expiry()}:`);
    // Nothing connects without the relay: the visitor still waits.
    await expect(chat.widget.getByRole('status').filter({ hasText: /^Connected$/ })).toHaveCount(0);
    // What the notice says is true: once Peerdesk can be reached, the console renews the
    // credentials by itself (its next try is within 5 s) and the chat connects, with no
    // reload; the notice goes. The link tries again as soon as the credentials are new,
    // not at the end of a back-off that grew while the relay refused (30 s before).
    await chat.helper.context().unroute('**/api/ice');
    await expect(chat.widget.getByRole('status').filter({ hasText: /^Connected$/ })).toHaveCount(
      1,
      { timeout: 20_000 },
    );
    await chat.visitorSays('hello once the console renewed by itself');
    await expect(notice).toHaveCount(0);
  } finally {
    await shortLived.stop();
  }
});
