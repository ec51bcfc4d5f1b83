/* global describe, it */
// The first thing a person does: find Pictor in the command palette and open its panel.
import assert from 'node:assert/strict';
import { session, runFromPalette, findFrame, screenshot } from './session.mjs';

describe('command palette (e2e)', () => {
  it('"Pictor: Open Panel" opens the panel beside the editor, with its heading and options', async () => {
    await runFromPalette('Pictor: Open Panel');
    await session.page.locator('.tabs-container .tab', { hasText: 'Pictor' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    // The webview's document sits in nested iframes; it is ready when the script rendered it.
    const frame = await findFrame('#app[aria-busy="false"] h1');
    assert.equal((await frame.locator('h1').innerText()).trim(), 'Pictor');
    const options = frame.getByRole('heading', { name: 'Options', exact: true });
    assert.equal(await options.isVisible(), true, 'the Options section is not visible');
    await screenshot('panel-open');
  });
});
