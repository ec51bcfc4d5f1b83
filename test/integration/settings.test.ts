import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fake } from './helpers';

describe('settings', () => {
  const defaults: Record<string, unknown> = {
    baseUrl: 'https://api.evolink.ai',
    filesBaseUrl: 'https://files-api.evolink.ai',
    model: 'gpt-image-2',
    size: 'auto',
    resolution: '1K',
    quality: 'medium',
    n: 1,
    callbackUrl: '',
    destination: {},
    maxConcurrentTasks: 4,
    timeoutMinutes: 15,
    confirmAboveImages: 4,
    keepReplacedImages: true,
    maxCreditsPerSession: null,
  };

  for (const [key, value] of Object.entries(defaults)) {
    it(`pictor.${key} defaults to ${JSON.stringify(value)}`, () => {
      assert.deepEqual(vscode.workspace.getConfiguration('pictor').inspect(key)?.defaultValue, value);
    });
  }

  it('reads the workspace values the tests rely on (the fake provider, not the real one)', () => {
    const c = vscode.workspace.getConfiguration('pictor');
    assert.equal(c.get('baseUrl'), fake().url);
    assert.equal(c.get('filesBaseUrl'), fake().url);
    assert.equal(c.get('size'), 'auto');
  });
});
