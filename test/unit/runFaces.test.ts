// Issue 20 point 1: one run returns a report, each face renders it. The flow that runs a request
// (generate.ts, placeholderRuns.ts, submitter.ts) and the agent tools show no notification: the
// command face (reportNotices.ts, through UserInput's notify) renders the report as notifications,
// the tools as their answer's text. A source check, as l10nCore.test.ts does for the core's words.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.join(__dirname, '..', '..', '..');

/** Calls that show a notification (or a question that is one: the key prompt, Restricted Mode's notice). */
const NOTIFYING = /^(show(Information|Warning|Error)Message|showJobError|requireTrust|tellUntrusted|ensureKey)$/;
/** UserInput's notify: its first argument is the level (PendingReads' notify() is not a notification). */
const LEVELS = new Set(['info', 'warning', 'error']);

/** Every call in `source` that shows a notification, as `line: callee`. */
export function notifyingCalls(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      const first = node.arguments[0];
      const notify = name === 'notify' && first !== undefined && ts.isStringLiteral(first) && LEVELS.has(first.text);
      if (NOTIFYING.test(name) || notify) found.push(`${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${callee.getText(sf)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('one run, one report: the flow and the tools show no notification (issue 20)', () => {
  it('the check finds a notification however it is called', () => {
    const sample = [
      "void vscode.window.showWarningMessage('x');",
      "window.showErrorMessage('x', 'Retry').then(() => undefined);",
      'void showJobError(e);',
      'if (!requireTrust()) return;',
      'await this.service.ensureKey();',
      "void notify('info', 'x');",
      "log.info('not a notification'); vscode.window.showTextDocument(doc); this.pending.notify();",
    ].join('\n');
    assert.deepEqual(notifyingCalls('sample.ts', sample), [
      '1: vscode.window.showWarningMessage', '2: window.showErrorMessage', '3: showJobError', '4: requireTrust',
      '5: this.service.ensureKey', '6: notify',
    ]);
  });

  const flow = ['src/vscode/run/generate.ts', 'src/vscode/run/placeholderRuns.ts'];
  const tools = readdirSync(path.join(root, 'src/vscode/tools')).filter((f) => f.endsWith('.ts')).map((f) => `src/vscode/tools/${f}`);
  for (const file of [...flow, ...tools]) {
    it(`${file} shows nothing: what happened goes into the run's report`, () => {
      assert.deepEqual(notifyingCalls(file, readFileSync(path.join(root, file), 'utf8')), []);
    });
  }

  it('src/vscode/run/submitter.ts shows nothing; the key, the only question it asks itself, is the one call left', () => {
    // The cost question and the budget question are asked through costQuestion.ts and spend.ts; the key
    // prompt (ensureKey) is a question too: the user answers it before anything is sent.
    const calls = notifyingCalls('submitter.ts', readFileSync(path.join(root, 'src/vscode/run/submitter.ts'), 'utf8'));
    assert.deepEqual(calls.map((c) => c.replace(/^\d+: /, '')), ['this.service.ensureKey']);
  });

  it('the command face shows its notifications through UserInput (which the integration host records), never vscode.window', () => {
    const source = readFileSync(path.join(root, 'src/vscode/run/reportNotices.ts'), 'utf8');
    assert.deepEqual(notifyingCalls('reportNotices.ts', source).filter((c) => /window\./.test(c)), []);
    assert.ok(notifyingCalls('reportNotices.ts', source).some((c) => c.endsWith(': notify')), 'reportNotices.ts no longer notifies at all');
  });
});
