import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, CONTRACT_COMMANDS, EXTENSION_ID } from './helpers';

describe('activation', () => {
  it('activates the extension under test', async () => {
    const ext = await activateExtension();
    assert.equal(ext.id, EXTENSION_ID);
    assert.equal(ext.isActive, true);
  });

  it('registers every command of the public contract', async () => {
    await activateExtension();
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = CONTRACT_COMMANDS.filter((c) => !all.has(c));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('contributes every contract command to the manifest under the Pictor category', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; category?: string; title: string }[] };
    };
    for (const id of CONTRACT_COMMANDS) {
      const c = manifest.contributes.commands.find((x) => x.command === id);
      assert.ok(c, `${id} is not in contributes.commands`);
      assert.equal(c.category, 'Pictor', `${id} has no Pictor category`);
    }
  });
});
