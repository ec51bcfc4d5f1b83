// Root hook for every integration run: points Pictor at the fake provider and stores the fake's key,
// so no test can ever reach the real provider. After a host restart (phase 2+) it only checks that
// the first phase's configuration is still there — re-writing it would hide a persistence bug.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, fake, waitFor, workspaceRoot } from './helpers';
import { releaseTasks } from './fakeControl';
import { note } from './index';

before(async function () {
  this.timeout(60_000);
  const { url, key } = fake();
  workspaceRoot();
  // Untrusted workspaces ignore workspace values of pictor.baseUrl (restrictedConfigurations):
  // the extension would fall back to the real provider's address.
  assert.equal(vscode.workspace.isTrusted, true, 'the test workspace must be trusted');
  const config = () => vscode.workspace.getConfiguration('pictor');
  const restarted = Number(process.env.PICTOR_PHASE ?? '1') > 1;
  if (!restarted) {
    await config().update('baseUrl', url, vscode.ConfigurationTarget.Workspace);
    await config().update('filesBaseUrl', url, vscode.ConfigurationTarget.Workspace);
  }
  // After a restart the web workbench may hand the folder's settings to a new extension host a
  // moment after it started: wait for them rather than fail, but say so (a real user could see it).
  const first = config().get('baseUrl');
  await waitFor('pictor.baseUrl to point at the fake provider', () => config().get('baseUrl') === url, 15_000)
    .catch(() => assert.fail(`pictor.baseUrl is ${JSON.stringify(config().get('baseUrl'))}, not the fake provider ${url}`));
  if (first !== url) note(`setup (phase ${process.env.PICTOR_PHASE ?? '1'}): pictor.baseUrl read ${JSON.stringify(first)} at first; the workspace value arrived later`);
  assert.equal(config().get('filesBaseUrl'), url, 'pictor.filesBaseUrl must point at the fake provider');
  await activateExtension();
  if (!restarted) assert.equal(await vscode.commands.executeCommand('pictor.setApiKey', key), true);
});

// A test that failed while the fake held one of its tasks (`[hold]` in the prompt) must not leave it
// running into the next tests (with maxConcurrentTasks 1 it would block them). The phase-1 halves that
// leave a task running for the next host hold it through the hold knob, without the marker.
afterEach(async () => {
  await releaseTasks('[hold]');
});
