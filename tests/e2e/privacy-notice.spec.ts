/**
 * F32 the privacy notice before a chat, as a visitor meets it (SPEC.md SP-PN1,
 * SP-PN2): demo mode shows one in the widget embedded on /demo. At 1280×720 and on a
 * 390×844 phone, keyboard only: the notice fits the panel (nothing wider than it, the
 * checkbox and "Start chat" in view as the panel opens), "Start chat" without the tick says why in an
 * alert and puts the focus on the box, Space ticks it and Enter starts the chat; axe
 * finds no serious violation with the notice and with its error. Screenshots of the
 * pre-chat form with the notice at the three sizes.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { SCREEN_SIZES } from './support/screenshots.ts';
import {
  LINK_TIMEOUT,
  PRIVACY_ACK,
  chatFrame,
  isolatedTest as test,
} from './support/widget-drivers.ts';

test.describe.configure({ timeout: 240_000 });

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} at ${n.target.join(' ')}`));
}

/** The widget's own document does not scroll sideways. */
async function noSidewaysScroll(page: Page): Promise<void> {
  const frame = page.frames().find((f) => f.url().includes('/widget'));
  expect(frame).toBeDefined();
  await expect
    .poll(() =>
      frame!.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ),
    )
    .toBeLessThanOrEqual(0);
}

for (const size of [SCREEN_SIZES[0], SCREEN_SIZES[2]]) {
  test(`SP-PN1 SP-PN2 the /demo widget shows the notice and needs its tick before a chat, keyboard only, at ${size.width}×${size.height}`, async ({
    browser,
    baseURL,
  }) => {
    const context = await browser.newContext({ baseURL: baseURL!, viewport: size });
    const visitor = await context.newPage();
    await visitor.goto('/demo/printing');
    const launcher = visitor.getByRole('button', { name: 'Chat with us' });
    await launcher.focus();
    await visitor.keyboard.press('Enter');
    const widget = chatFrame(visitor);
    const notice = widget.getByRole('region', { name: 'Privacy notice' });
    await expect(notice).toBeVisible(LINK_TIMEOUT);
    await expect(notice).toContainText('This is a demo of Peerdesk.');
    const box = widget.getByRole('checkbox', { name: PRIVACY_ACK });
    await expect(box).not.toBeChecked();
    // As the panel opens, before any scrolling: the tick and "Start chat" are in view,
    // inside the panel (they stay at its foot while a long form scrolls).
    const panel = await visitor.locator('iframe[title="Chat with us"]').boundingBox();
    expect(panel).not.toBeNull();
    for (const control of [box, widget.getByRole('button', { name: 'Start chat' })]) {
      const rect = await control.boundingBox();
      expect(rect).not.toBeNull();
      expect(rect!.y).toBeGreaterThanOrEqual(panel!.y);
      expect(rect!.y + rect!.height).toBeLessThanOrEqual(
        Math.min(panel!.y + panel!.height, size.height),
      );
    }

    // Keyboard only: the name field has the focus when the panel opens, or is tabbed to.
    const name = widget.getByLabel('Name', { exact: true });
    await expect(name).toBeVisible();
    await name.focus();
    await visitor.keyboard.type('Keya');
    await widget.getByLabel('Question').focus();
    await visitor.keyboard.type('Is my data kept?');
    // The keyboard's path: the question, the box, then "Start chat" (pressed unticked).
    await visitor.keyboard.press('Tab');
    await expect(box).toBeFocused();
    await visitor.keyboard.press('Tab');
    await expect(widget.getByRole('button', { name: 'Start chat' })).toBeFocused();
    await visitor.keyboard.press('Enter');
    const alert = widget.getByRole('alert').filter({ hasText: 'tick' });
    await expect(alert).toHaveText(
      'Please tick “I have read the privacy notice” to start the chat.',
    );
    await expect(box).toBeFocused();
    await expect(box).toHaveAttribute('aria-invalid', 'true');
    // Nothing was sent: no queue place.
    await expect(widget.getByText(/in the queue/)).toHaveCount(0);
    expect(await seriousViolations(visitor), 'notice with its error').toEqual([]);
    await noSidewaysScroll(visitor);
    // Each control is inside the viewport once scrolled to (the panel fits the screen).
    for (const control of [box, widget.getByRole('button', { name: 'Start chat' })]) {
      await control.scrollIntoViewIfNeeded();
      const rect = await control.boundingBox();
      expect(rect).not.toBeNull();
      expect(rect!.x).toBeGreaterThanOrEqual(0);
      expect(rect!.x + rect!.width).toBeLessThanOrEqual(size.width);
      expect(rect!.y + rect!.height).toBeLessThanOrEqual(size.height);
    }
    await box.focus();
    await visitor.keyboard.press('Space');
    await expect(box).toBeChecked();
    await expect(alert).toHaveCount(0);
    await visitor.keyboard.press('Tab');
    await expect(widget.getByRole('button', { name: 'Start chat' })).toBeFocused();
    await visitor.keyboard.press('Enter');
    await expect(widget.getByText(/in the queue|No helper is online/).first()).toBeVisible(
      LINK_TIMEOUT,
    );
    await context.close();
  });
}

test('SP-PN1 screenshots and axe of the pre-chat form with the notice', async ({
  browser,
  baseURL,
}, testInfo) => {
  const visitor = await (await browser.newContext({ baseURL: baseURL! })).newPage();
  await visitor.goto('/demo/printing');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = chatFrame(visitor);
  await expect(widget.getByRole('region', { name: 'Privacy notice' })).toBeVisible(LINK_TIMEOUT);
  expect(await seriousViolations(visitor), 'pre-chat with the notice').toEqual([]);
  for (const size of SCREEN_SIZES) {
    await visitor.setViewportSize(size);
    await noSidewaysScroll(visitor);
    await visitor.screenshot({
      path: testInfo.outputPath(`widget-privacy-notice-${size.width}.png`),
    });
  }
});
