// The extension as the integration tests run it: the real one (src/extension.ts activateWith, bundled
// the same way), with the UI it waits on the user through answered by the tests (an extension host
// cannot type into a real input box; the e2e layer does, in the real UI), and commands through which a
// test in the extension host sees what a person would see: the context keys, what a progress
// notification showed, the notifications a run showed, a tool's confirmation, and the panel driven as its webview drives it.
// esbuild.mjs bundles it into dist/extension.testing.js, outside the .vsix; the integration runner loads
// it from a copy of the extension whose `main` points to it (test/host/server.mjs installTestingCopy).
import * as vscode from 'vscode';
import { activateWith } from '../../../src/extension';
import { vscodeInput, type UserInput } from '../../../src/vscode/userInput';

interface ProgressRecord { title: string; reports: { increment: number; message: string }[] }

/**
 * The queue's pace against the fake provider, which finishes a task in a fraction of a second: the
 * production floor (2 s between polls of a task, 15 s slowest) would leave every generating test idle
 * for seconds. The pacing itself is proved on a simulated clock with the production figures (unit layer).
 * Likewise the client's waits before it tries a request again (production: 0.5 s doubling, up to 20 s;
 * the same number of tries): the backoff is proved in the unit and component layers, here only that
 * the tries happen and what the user is told after the last one.
 */
const TEST_TIMING = { minPollMs: 100, maxPollMs: 1000, retryDelays: { baseDelayMs: 20, maxDelayMs: 200 } };

export function activate(context: vscode.ExtensionContext): void {
  const answers: (string | undefined)[] = [];
  const asked: vscode.InputBoxOptions[] = [];
  // Quick picks: an answer names an item by its `value` (agentSetup's Choice) or its label; undefined is Escape.
  const pickAnswers: (string | undefined)[] = [];
  const picksShown: { title?: string; items: { label: string; value?: string; description?: string; detail?: string }[] }[] = [];
  let progress: ProgressRecord[] | undefined;
  const notices: { severity: string; message: string; items: string[] }[] = [];
  const input: UserInput = {
    // Answers queued by a test go first; with none queued, the real box.
    askText: (options) => {
      if (answers.length === 0) return vscodeInput.askText(options);
      asked.push({ title: options.title, prompt: options.prompt, value: options.value });
      return Promise.resolve(answers.shift());
    },
    chooseVariantCount: () => vscodeInput.chooseVariantCount(),
    // Answers queued by a test go first (what was offered is recorded); with none queued, the real list.
    pick: <T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions) => {
      if (pickAnswers.length === 0) return vscodeInput.pick(items, options);
      const valueOf = (i: T) => (i as T & { value?: unknown }).value;
      picksShown.push({
        ...(options.title ? { title: options.title } : {}),
        items: items.map((i) => ({ label: i.label, ...(typeof valueOf(i) === 'string' ? { value: valueOf(i) as string } : {}),
          ...(i.description ? { description: i.description } : {}), ...(i.detail ? { detail: i.detail } : {}) })),
      });
      const answer = pickAnswers.shift();
      return Promise.resolve(answer === undefined ? undefined : items.find((i) => valueOf(i) === answer || i.label === answer));
    },
    // The real notification, with each report recorded once a test has asked to record.
    withProgress: (options, task) => vscodeInput.withProgress(options, (real, token) => {
      const record: ProgressRecord | undefined = progress && { title: options.title ?? '', reports: [] };
      if (record) progress!.push(record);
      return task({
        report: (v) => {
          record?.reports.push({ increment: v.increment ?? 0, message: v.message ?? '' });
          real.report(v);
        },
      }, token);
    }),
    // The real notification, recorded: what a run told the user (reportNotices.ts).
    notify: (severity, message, ...items) => {
      notices.push({ severity, message, items });
      return vscodeInput.notify(severity, message, ...items);
    },
  };
  const parts = activateWith(context, input, TEST_TIMING);
  const register = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  // undefined stands for Escape.
  register('pictor._test.answerInputBox', (answer?: unknown) => {
    answers.push(typeof answer === 'string' ? answer : undefined);
  });
  register('pictor._test.inputBoxesAsked', () => asked.splice(0));
  register('pictor._test.answerQuickPick', (answer?: unknown) => {
    pickAnswers.push(typeof answer === 'string' ? answer : undefined);
  });
  register('pictor._test.quickPicksShown', () => picksShown.splice(0));
  // Answers queued for a box or a list that was never shown (the command stopped before asking).
  register('pictor._test.forgetAnswers', () => answers.splice(0).length + pickAnswers.splice(0).length);
  // What the context keys were last set to: the extension host cannot read VS Code's context.
  register('pictor._test.contextKeys', () => parts.contextKeys.current());
  // What batch progress notifications showed since the last call (the first call starts recording).
  register('pictor._test.progress', () => {
    progress ??= [];
    return progress.splice(0);
  });
  // The notifications runs showed since the last call (each with its level and buttons).
  register('pictor._test.notices', () => notices.splice(0));
  // The same, without taking them: a copy of what was recorded so far (a test waits for a report).
  register('pictor._test.progressSoFar', () => JSON.parse(JSON.stringify(progress ?? [])) as ProgressRecord[]);
  // The confirmation a chat would show, which vscode.lm.invokeTool shows as a dialog the host cannot see.
  register('pictor._test.prepareTool', async (name: string, toolInput: unknown) => {
    const tool = parts.tools[name as keyof typeof parts.tools];
    const prepared = await tool?.prepareInvocation?.({ input: toolInput }, new vscode.CancellationTokenSource().token);
    const text = (m: string | vscode.MarkdownString | undefined) => (typeof m === 'string' || m === undefined ? m : m.value);
    return prepared && {
      invocationMessage: text(prepared.invocationMessage),
      confirmation: prepared.confirmationMessages && { title: prepared.confirmationMessages.title, message: text(prepared.confirmationMessages.message) },
    };
  });
  // A raw message to the panel's host side as if its webview sent it: whether it was accepted, and what was posted back.
  register('pictor._test.panelMessage', (raw: unknown) => parts.panel.receive(raw));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
