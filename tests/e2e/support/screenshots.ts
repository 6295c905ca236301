/**
 * Screenshots of a console screen at the three sizes the team checks (1280×720,
 * 1440×900, 390×844), for a person to look at. Below 900 px the workspace shows one
 * pane at a time, so the `pane` switcher button is pressed first when one is named; a
 * page shot whole (no pane) is checked not to scroll sideways at any of the sizes.
 */
import { expect, type Page } from '@playwright/test';

export const SCREEN_SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
] as const;

export async function shoot(
  page: Page,
  name: string,
  path: (file: string) => string,
  pane?: string,
): Promise<void> {
  for (const size of SCREEN_SIZES) {
    await page.setViewportSize(size);
    if (pane !== undefined && size.width < 900) {
      await page
        .getByRole('navigation', { name: 'Workspace panes' })
        .getByRole('button', { name: pane })
        .click();
    }
    // A page shot whole (an admin page) must fit its width: at 390 px too.
    if (pane === undefined) await expectNoSidewaysScroll(page);
    await page.screenshot({
      path: path(`${name}-${size.width}.png`),
      fullPage: pane === undefined,
    });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

/** The page does not scroll sideways at its current width: wide content (a table of
 * many periods) scrolls inside its own box. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ),
    )
    .toBe(0);
}
