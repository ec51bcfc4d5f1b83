// Issue 22: the command *Pictor: Set Up for Other Agents* in a real VS Code host. It offers the four
// agents and both ways to start the server, copies agentSetup.ts's snippet as is and shows it in a
// read-only editor, writes no file unless asked, and when asked merges the pictor server into an
// existing .vscode/mcp.json without touching the other servers (or its comments). The lists are
// answered through the UserInput seam (test/integration/extension/testing.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import * as vscode from 'vscode';
import { agentSnippets } from '../../src/shared/agentSetup';
import type { AgentSetupResult } from '../../src/vscode/agentSetup';
import { activateExtension, closeAllEditors, EXTENSION_ID, fake, workspaceRoot } from './helpers';

interface PickShown { title?: string; items: { label: string; value?: string; description?: string; detail?: string }[] }

const answer = async (...values: (string | undefined)[]) => {
  for (const v of values) await vscode.commands.executeCommand('pictor._test.answerQuickPick', v);
};
const shown = () => vscode.commands.executeCommand<PickShown[]>('pictor._test.quickPicksShown');
const setUp = () => vscode.commands.executeCommand<AgentSetupResult | undefined>('pictor.setUpOtherAgents');

describe('Pictor: Set Up for Other Agents (issue 22)', function () {
  this.timeout(30_000);
  let version: string;
  const mcpJson = () => path.join(workspaceRoot().fsPath, '.vscode', 'mcp.json');
  const cursorJson = () => path.join(workspaceRoot().fsPath, '.cursor', 'mcp.json');

  before(async () => {
    await activateExtension();
    version = String(vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.version);
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('pictor._test.forgetAnswers');
    await shown();
    await closeAllEditors();
    fs.rmSync(mcpJson(), { force: true });
    fs.rmSync(path.dirname(cursorJson()), { recursive: true, force: true });
  });

  it('is contributed under the Pictor category', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string; category?: string; title: string }[] } };
    const c = manifest.contributes.commands.find((x) => x.command === 'pictor.setUpOtherAgents');
    assert.ok(c, 'pictor.setUpOtherAgents is not in contributes.commands');
    assert.equal(c.category, 'Pictor');
    assert.equal(c.title, 'Set Up for Other Agents');
  });

  for (const [client, launch] of [['claude', 'installed'], ['cursor', 'npx'], ['codex', 'npx'], ['vscode', 'installed']] as const) {
    it(`${client}, ${launch}: offers the four agents and both launches; copies and shows agentSetup's snippet; writes no file`, async () => {
      await vscode.env.clipboard.writeText('clipboard before');
      const writable = client === 'cursor' || client === 'vscode';
      await answer(client, launch, ...(writable ? ['copy'] : []));
      const result = await setUp();
      const expected = agentSnippets(version).find((s) => s.client === client && s.launch === launch)!;
      assert.deepEqual(result && [result.client, result.launch, result.snippet, result.wrote], [client, launch, expected.text, undefined]);
      assert.equal(await vscode.env.clipboard.readText(), expected.text);
      const picks = await shown();
      assert.deepEqual(picks[0]!.items.map((i) => [i.value, i.label]), [['claude', 'Claude Code'], ['cursor', 'Cursor'], ['codex', 'Codex'], ['vscode', 'VS Code']]);
      assert.deepEqual(picks[1]!.items.map((i) => i.value), ['installed', 'npx']);
      assert.equal(picks[1]!.items[1]!.description, `npx -y pictor-cli@${version} mcp`);
      assert.equal(picks.length, writable ? 3 : 2, 'the "write a file" choice is offered only for an agent that reads a project file');
      if (writable) assert.deepEqual(picks[2]!.items.map((i) => i.value), ['copy', 'write']);
      // Shown in a read-only editor: the snippet as copied, and how to get the command.
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.scheme, 'pictor-agent-setup');
      assert.equal(editor.document.uri.toString(), result!.document);
      const page = editor.document.getText();
      assert.ok(page.includes(expected.text), page);
      assert.match(page, /EVOLINK_API_KEY/);
      if (launch === 'installed') assert.match(page, /npm install -g pictor-cli\n[\s\S]*npm install -g \.\/pictor-cli-/);
      else assert.doesNotMatch(page, /npm install -g/);
      assert.ok(!page.includes(fake().key) && !expected.text.includes(fake().key));
      assert.equal(fs.existsSync(mcpJson()), false, '.vscode/mcp.json was written without being asked');
      assert.equal(fs.existsSync(cursorJson()), false, '.cursor/mcp.json was written without being asked');
    });
  }

  it('Escape at the first list: nothing copied, nothing shown', async () => {
    await vscode.env.clipboard.writeText('clipboard before');
    await answer(undefined);
    assert.equal(await setUp(), undefined);
    assert.equal(await vscode.env.clipboard.readText(), 'clipboard before');
    assert.equal(vscode.window.activeTextEditor, undefined);
  });

  it('"Write .vscode/mcp.json" merges the pictor server into an existing file, keeping another server, its inputs and comments; no key', async () => {
    fs.mkdirSync(path.dirname(mcpJson()), { recursive: true });
    const existing = '{\n  // my servers\n  "inputs": [{ "type": "promptString", "id": "gh-token", "password": true }],\n  "servers": {\n    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer ${input:gh-token}" } },\n  },\n}\n';
    fs.writeFileSync(mcpJson(), existing);
    const before = parse(existing) as { inputs: unknown; servers: Record<string, unknown> };
    await answer('vscode', 'npx', 'write');
    const result = await setUp();
    const expected = agentSnippets(version).find((s) => s.client === 'vscode' && s.launch === 'npx')!;
    assert.equal(result?.wrote, mcpJson());
    assert.equal(await vscode.env.clipboard.readText(), expected.text);
    const text = fs.readFileSync(mcpJson(), 'utf8');
    const after = parse(text) as { inputs: unknown; servers: Record<string, unknown> };
    assert.deepEqual(after.servers.github, before.servers.github, 'the other server changed');
    assert.deepEqual(after.inputs, before.inputs);
    assert.deepEqual(after.servers.pictor, (JSON.parse(expected.text) as { servers: { pictor: unknown } }).servers.pictor);
    assert.deepEqual(Object.keys(after.servers).sort(), ['github', 'pictor']);
    // The user's text stays as written: the comment, and the other server's line with its trailing comma.
    assert.match(text, /\/\/ my servers/);
    assert.ok(text.includes(existing.split('\n').find((l) => l.includes('"github"'))!), text);
    assert.ok(!text.includes(fake().key), 'a key was written');
    // Again, for the installed command: the pictor entry is replaced, nothing added twice.
    await answer('vscode', 'installed', 'write');
    await setUp();
    const again = parse(fs.readFileSync(mcpJson(), 'utf8')) as { servers: Record<string, unknown> };
    assert.deepEqual(again.servers.github, before.servers.github);
    assert.deepEqual(again.servers.pictor, (JSON.parse(agentSnippets(version).find((s) => s.client === 'vscode' && s.launch === 'installed')!.text) as { servers: { pictor: unknown } }).servers.pictor);
  });

  it('"Write .cursor/mcp.json" creates the file when there is none; a file that is not JSON is left as it is', async () => {
    await answer('cursor', 'installed', 'write');
    const result = await setUp();
    assert.equal(result?.wrote, cursorJson());
    const expected = agentSnippets(version).find((s) => s.client === 'cursor' && s.launch === 'installed')!;
    assert.deepEqual(JSON.parse(fs.readFileSync(cursorJson(), 'utf8')), JSON.parse(expected.text));
    fs.writeFileSync(cursorJson(), 'not json {');
    await answer('cursor', 'installed', 'write');
    const refused = await setUp();
    assert.equal(refused?.wrote, undefined);
    assert.equal(fs.readFileSync(cursorJson(), 'utf8'), 'not json {');
    assert.equal(await vscode.env.clipboard.readText(), expected.text);
    assert.match(vscode.window.activeTextEditor!.document.getText(), /was not changed/);
  });
});
