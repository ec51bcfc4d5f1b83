/* global describe, it */
import assert from 'node:assert/strict';
import { session, runFromPalette, screenshot } from './session.mjs';

describe('API key (e2e)', () => {
  it('Set API Key asks in a password box, confirms, and never shows the key', async () => {
    const { page, fake } = session;
    await runFromPalette('Pictor: Set API Key');
    const box = page.locator('.quick-input-widget input[type="password"]');
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(fake.apiKey);
    await screenshot('api-key-password-box');
    await page.keyboard.press('Enter');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'API key saved' });
    await toast.waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(300); // let the toast finish sliding in, for a readable screenshot
    await screenshot('api-key-saved');
    const text = await page.locator('.monaco-workbench').innerText();
    assert.ok(!text.includes(fake.apiKey), 'the key is visible somewhere in the workbench');
    await page.keyboard.press('Escape');
  });
});
