import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, fake } from './helpers';

describe('settings', () => {
  // The values themselves are unit tests (test/unit/settings.test.ts, "pictor.<key> defaults to …"):
  // here, that VS Code takes them from the manifest the extension ships.
  it('VS Code reads every pictor.* default from the extension\'s manifest', () => {
    const props = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
    }).contributes.configuration.properties;
    const keys = Object.keys(props).filter((k) => k.startsWith('pictor.'));
    assert.ok(keys.length >= 14, `only ${keys.length} pictor.* settings in the manifest`);
    const config = vscode.workspace.getConfiguration('pictor');
    for (const key of keys) {
      const name = key.slice('pictor.'.length);
      assert.deepEqual(config.inspect(name)?.defaultValue, props[key]!.default, key);
    }
    // Two values spelled out, so a manifest VS Code did not read at all cannot pass.
    assert.equal(config.inspect('model')?.defaultValue, 'gpt-image-2');
    assert.equal(config.inspect('maxConcurrentTasks')?.defaultValue, 4);
  });

  it('reads the workspace values the tests rely on (the fake provider, not the real one)', () => {
    const c = vscode.workspace.getConfiguration('pictor');
    assert.equal(c.get('baseUrl'), fake().url);
    assert.equal(c.get('filesBaseUrl'), fake().url);
    assert.equal(c.get('size'), 'auto');
  });
});
