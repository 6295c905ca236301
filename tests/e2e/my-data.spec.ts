/**
 * F32 "download my data" as a visitor does it (SPEC.md SP-PV8–SP-PV10): after a chat in the
 * /demo site's widget, the visitor takes the widget's follow-up link, replies on the
 * follow-up page, and presses "Download my data": the browser saves a JSON file that
 * holds the chat's transcript, the details they gave and their reply, with a readable
 * part. A link withdrawn meanwhile gets its error code on the same control. One
 * browser context per person; controls by role and label; screenshots of the page.
 */
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import { VisitorDataExport } from '../../protocol/index.ts';
import { closeAllContexts } from './console-steps.ts';
import { expect, test } from './fixtures.ts';
import { startDemoChat } from './support/demo-chat.ts';
import { shoot } from './support/screenshots.ts';
import { LINK_TIMEOUT, ownService } from './support/widget-drivers.ts';

test.afterEach(closeAllContexts);

test('SP-PV8 SP-PV9 SP-PV10 the visitor downloads what is stored about their chat from the follow-up page', async ({
  browser,
}, testInfo) => {
  test.setTimeout(240_000);
  const service = await ownService();
  try {
    const chat = await startDemoChat(browser, {
      helper: 'alice',
      visitorName: 'Dorota',
      baseURL: service.baseURL,
      question: 'Where is my data',
    });
    await chat.visitorSays('Please tell me what you keep about me');
    await chat.helperSays('You can download it from your follow-up page');
    await chat.widget.getByRole('button', { name: 'End chat' }).click();

    const offer = chat.widget.getByRole('region', { name: 'Follow up later' });
    await expect(offer).toBeVisible(LINK_TIMEOUT);
    await offer.getByRole('button', { name: 'Follow up by email or link…' }).click();
    await offer.getByRole('button', { name: 'Get my follow-up link' }).click();
    const [followUp] = await Promise.all([
      chat.visitor.context().waitForEvent('page'),
      offer.getByRole('link', { name: 'Open your follow-up page' }).click(),
    ]);
    // The helper's console archives the chat when it ends; the page shows it once there.
    const yourChat = followUp.getByRole('heading', { name: 'Your chat' });
    await expect(async () => {
      await followUp.reload();
      await expect(yourChat).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await followUp.getByLabel('Your reply').fill('And my reply is in it too?');
    await followUp.getByRole('button', { name: 'Send reply' }).click();
    await expect(followUp.getByRole('status').filter({ hasText: 'reply was sent' })).toBeVisible();

    const region = followUp.getByRole('region', { name: 'Your data' });
    const button = region.getByRole('button', { name: 'Download my data' });
    const [download] = await Promise.all([followUp.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^peerdesk-my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const text = await readFile(await download.path(), 'utf8');
    expect(text.split('\n').length).toBeGreaterThan(20); // pretty
    const data = v.parse(VisitorDataExport, JSON.parse(text));
    expect(data.chats).toHaveLength(1);
    expect(data.chats[0]!.details).toMatchObject({ name: 'Dorota', question: 'Where is my data' });
    expect(data.chats[0]!.transcript?.lines.map((l) => l.body)).toEqual(
      expect.arrayContaining([
        'Please tell me what you keep about me',
        'You can download it from your follow-up page',
      ]),
    );
    expect(data.tickets.flatMap((t) => t.messages.map((m) => m.body))).toContain(
      'And my reply is in it too?',
    );
    expect(data.readable.join('\n')).toContain('Dorota: Please tell me what you keep about me');
    await expect(region.getByRole('status')).toContainText('Downloaded peerdesk-my-data-');
    await button.focus();
    await expect(button).toBeFocused();

    await shoot(followUp, 'follow-up-my-data', (file) => testInfo.outputPath(file));

    // The helper withdraws the links: the same control now says why, with the code.
    const token = new URL(followUp.url()).hash.slice(1);
    // The workspace bar's Tickets link opens a tab of its own, signed in (rel=opener).
    const [tickets] = await Promise.all([
      chat.helper.context().waitForEvent('page'),
      chat.helper.getByRole('link', { name: /^Tickets/ }).click(),
    ]);
    const card = tickets.getByRole('article', { name: 'Where is my data' });
    await card.getByRole('link', { name: 'Where is my data' }).click(LINK_TIMEOUT);
    await tickets.getByRole('button', { name: 'Withdraw follow-up links…' }).click();
    await tickets.getByRole('button', { name: 'Withdraw the links' }).click();
    await expect(tickets.getByRole('status').filter({ hasText: 'withdrawn' })).toBeVisible();
    await button.click();
    await expect(region.getByRole('alert')).toContainText('error code: follow_up_revoked');
    const refused = await followUp.request.get('/api/follow-up/export', {
      headers: { authorization: `FollowUp ${token}` },
    });
    expect(refused.status()).toBe(410);
  } finally {
    await service.stop();
  }
});
