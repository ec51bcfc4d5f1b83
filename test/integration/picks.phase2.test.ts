import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor, workspaceRoot } from './helpers';
import { onDisk } from './editorHelpers';
import { panelSend, panelState, PICK_RESTART_PROMPT } from './panelHook';

describe('variants (phase 2: after a restart)', () => {
  it('the pick still waits: its CodeLens and the panel show it, and picking links it', async () => {
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'variants-restart.md');
    await vscode.window.showTextDocument(uri);
    const lens = await waitFor('the "2 variants ready" lens', async () =>
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)).find((l) => l.command?.command === 'pictor.pickVariant'));
    assert.equal(lens.command!.title, '$(check-all) 2 variants ready — Pick…');
    const id = await vscode.commands.executeCommand<string>('pictor.pickVariant', uri, lens.range);
    const pick = ((await panelState()) as unknown as { picks: { id: string; prompt: string; files: { path: string }[] }[] }).picks.find((p) => p.prompt === PICK_RESTART_PROMPT);
    assert.ok(pick, 'the pick was lost in the restart');
    assert.equal(id, pick.id);
    assert.equal(pick.files.length, 2);
    for (const f of pick.files) await fs.access(f.path);
    const r = await panelSend({ type: 'pickVariant', id: pick.id, path: pick.files[1]!.path });
    assert.equal(r.accepted, true, r.reason);
    const text = `# Kept\n\n![${PICK_RESTART_PROMPT}](images/${path.basename(pick.files[1]!.path)})\n`;
    await waitFor('the link in the page', async () => (await vscode.workspace.openTextDocument(uri)).getText() === text);
    const doc = await vscode.workspace.openTextDocument(uri);
    // Saved, and on disk: save() answers false when VS Code could not save (said, not waited out).
    const saved = doc.isDirty ? await doc.save() : true;
    await waitFor(`the link on disk (save() answered ${saved})`, async () => (await onDisk(uri)) === text, 15_000)
      .catch(async () => assert.equal(await onDisk(uri), text, `save() answered ${saved}; the page is ${doc.isDirty ? '' : 'not '}dirty`));
    await fs.access(path.join(path.dirname(pick.files[0]!.path), 'candidates', path.basename(pick.files[0]!.path)));
  });
});
