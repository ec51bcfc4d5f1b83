// The translation stays whole: every exported string and manifest string has a Simplified Chinese
// translation with the same placeholders, the exported bundle matches the sources, the edge's word
// table says exactly what the core says in English, and no user-facing string in the glue skips
// vscode.l10n. Each failure lists what to fix; `npm run l10n` regenerates the bundle and prints the
// keys a translation lacks.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ts from 'typescript';
import { ENGLISH, english, renderWith, words, type WordCode } from '../../src/shared/words';

const root = path.join(__dirname, '..', '..', '..');
/** A JSON file of the project; an absent file reads as empty (its test then lists every key as missing). */
const readJson = (f: string) =>
  (existsSync(path.join(root, f)) ? JSON.parse(readFileSync(path.join(root, f), 'utf8')) : {}) as Record<string, string | { message: string }>;
const text = (v: string | { message: string }) => (typeof v === 'string' ? v : v.message);
const LANGUAGES = ['zh-cn'];

/** The `{0}`-style placeholders of a message, sorted, each once. */
export function placeholders(s: string): string[] {
  return [...new Set(s.match(/\{\d+\}/g) ?? [])].sort();
}

function missingKeys(source: Record<string, unknown>, translated: Record<string, unknown>): string[] {
  return Object.keys(source).filter((k) => !(k in translated) || typeof translated[k] !== 'string' || String(translated[k]).trim() === '');
}

function listed(keys: string[]): string {
  return keys.map((k) => `\n    ${JSON.stringify(k)}`).join('');
}

describe('l10n: translations', () => {
  const bundle = readJson('l10n/bundle.l10n.json');
  const nls = readJson('package.nls.json');

  it('the manifest points VS Code at the bundle folder', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { l10n?: string };
    assert.equal(pkg.l10n, './l10n');
  });

  for (const lang of LANGUAGES) {
    for (const [file, source] of [[`l10n/bundle.l10n.${lang}.json`, bundle], [`package.nls.${lang}.json`, nls]] as const) {
      describe(file, () => {
        const translated = readJson(file);

        it('translates every key (run npm run l10n to list them)', () => {
          const missing = missingKeys(source, translated);
          assert.deepEqual(missing, [], `${file} lacks ${missing.length} translation(s):${listed(missing)}`);
        });

        it('has no key the source no longer has', () => {
          const unused = Object.keys(translated).filter((k) => !(k in source));
          assert.deepEqual(unused, [], `${file} has ${unused.length} key(s) that are no longer used:${listed(unused)}`);
        });

        it('keeps the placeholders {0}, {1}… of every message', () => {
          const wrong = Object.keys(source)
            .filter((k) => typeof translated[k] === 'string')
            .filter((k) => placeholders(text(source[k]!)).join() !== placeholders(String(translated[k])).join())
            .map((k) => `${k} → ${String(translated[k])}`);
          assert.deepEqual(wrong, [], `placeholders differ in ${wrong.length} translation(s):${listed(wrong)}`);
        });

        it('keeps product names, command ids and setting ids as they are', () => {
          const names = /Pictor|EvoLink|gpt-image-2|Markdown|CodeLens|EVOLINK_API_KEY|NODE_EXTRA_CA_CERTS|https?:\/\/|pictor[._][A-Za-z]+|\$\([a-z-~]+\)|`[^`]+`/g;
          const wrong = Object.keys(source)
            .filter((k) => typeof translated[k] === 'string')
            .filter((k) => {
              const want = [...new Set(text(source[k]!).match(names) ?? [])].sort().join();
              const got = [...new Set(String(translated[k]).match(names) ?? [])].sort().join();
              return want !== got;
            })
            .map((k) => `${k} → ${String(translated[k])}`);
          assert.deepEqual(wrong, [], `${wrong.length} translation(s) change a name, id, link or icon:${listed(wrong)}`);
        });
      });
    }
  }
});

describe('l10n: the exported bundle', () => {
  it('holds exactly the vscode.l10n.t strings of src/ (run npm run l10n when this fails)', async function () {
    this.timeout(60_000); // the extractor parses every source file with tree-sitter (a few seconds)
    // The same export `npm run l10n` writes (scripts/l10n.mjs, @vscode/l10n-dev's extractor).
    const script = (await import(pathToFileURL(path.join(root, 'scripts', 'l10n.mjs')).href)) as { exportBundle(): Promise<Record<string, string>> };
    const fresh = await script.exportBundle();
    const onDisk = readJson('l10n/bundle.l10n.json');
    const added = Object.keys(fresh).filter((k) => !(k in onDisk));
    const gone = Object.keys(onDisk).filter((k) => !(k in fresh));
    assert.deepEqual({ added, gone }, { added: [], gone: [] },
      `l10n/bundle.l10n.json is stale: run npm run l10n.${added.length ? `\n  in the sources, not in the bundle:${listed(added)}` : ''}${gone.length ? `\n  in the bundle, no longer in the sources:${listed(gone)}` : ''}`);
    assert.equal(readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8'), `${JSON.stringify(fresh, null, 2)}\n`,
      'l10n/bundle.l10n.json is not in the order npm run l10n writes it: run npm run l10n');
  });
});

describe('l10n: the core\'s messages, worded at the edge', () => {
  // vscode.l10n.t with no bundle: the English template, filled.
  const englishT = (message: string, ...args: string[]) => message.replace(/\{(\d+)\}/g, (m, i: string) => args[Number(i)] ?? m);
  const codes = Object.keys(ENGLISH) as WordCode[];

  it('renders nested messages through the editor\'s lookup (English template as the key) as the core does', () => {
    const w = words('request.size', words('size.explicitTry', '100×100', words('list.semicolon', words('size.edgeStep', 16), words('size.aspect', 3, '4.5')), words('list.or', '512×512', '1024×1024')));
    const keys: string[] = [];
    assert.equal(renderWith((m, ...a) => (keys.push(m), englishT(m, ...a)), w), english(w));
    assert.equal(english(w), 'Size 100×100: both edges must be multiples of 16; the long edge may be at most 3 times the short edge (got 4.5:1) (try 512×512 or 1024×1024).');
    // Each part was looked up by its own English template, the inner ones first.
    assert.deepEqual(keys, [ENGLISH['size.edgeStep'], ENGLISH['size.aspect'], ENGLISH['list.semicolon'], ENGLISH['list.or'], ENGLISH['size.explicitTry'], ENGLISH['request.size']]);
  });

  it('the table is written once: no vscode.l10n.t literal in src/ repeats a core template', () => {
    // Templates with words in them (a bare '{0}: {1}' is punctuation any code may use).
    const templates = new Set<string>(Object.values(ENGLISH).filter((t) => /[A-Za-z]{2}/.test(t.replace(/\{\d+\}/g, ''))));
    const repeated: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) if (templates.has(m[1]!.replace(/\\'/g, "'"))) repeated.push(`${path.relative(root, p)}: ${m[1]}`);
      }
    };
    walk(path.join(root, 'src'));
    assert.deepEqual(repeated, []);
  });

  it('every template is in the exported bundle, so it can be translated', () => {
    const bundle = readJson('l10n/bundle.l10n.json');
    const absent = codes.filter((c) => !(ENGLISH[c] in bundle));
    assert.deepEqual(absent, [], `templates missing from l10n/bundle.l10n.json (run npm run l10n):${listed(absent)}`);
  });
});

// ---- strings that bypass vscode.l10n ---------------------------------------------------------------

/** The literal text of a string or template literal, substitutions removed. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  return undefined;
}

/** Words a person reads: letters left once codicons (`$(sync~spin)`) and the key format (`sk-evo-…`) are removed. */
function hasWords(s: string): boolean {
  return /\p{L}{2,}/u.test(s.replace(/\$\([\w~-]+\)|\bsk-evo-/g, ''));
}

/** Literal pieces of an expression that end up in what is shown (branches of ?:, ||, ??, +). */
function shownLiterals(node: ts.Expression): ts.Node[] {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return shownLiterals(node.expression);
  if (ts.isConditionalExpression(node)) return [...shownLiterals(node.whenTrue), ...shownLiterals(node.whenFalse)];
  if (ts.isBinaryExpression(node) && [ts.SyntaxKind.PlusToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(node.operatorToken.kind)) {
    return [...shownLiterals(node.left), ...shownLiterals(node.right)];
  }
  return literalText(node) !== undefined ? [node] : [];
}

const SHOW_CALLS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'setStatusBarMessage']);
/** Properties that hold what the user reads: quick pick / input box / progress options, status bar items, CodeLens commands, tree items. */
const SHOWN_PROPERTIES = new Set(['title', 'prompt', 'placeHolder', 'placeholder', 'tooltip', 'label', 'detail', 'description', 'openLabel', 'saveLabel', 'validationMessage']);
const SHOWN_ASSIGNED = new Set([...SHOWN_PROPERTIES, 'text', 'name']);

export interface Bypass { file: string; line: number; text: string }

/** Every user-facing literal of one glue file that does not go through vscode.l10n.t. */
export function bypasses(file: string, source: string): Bypass[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Bypass[] = [];
  const report = (n: ts.Node) => {
    const t = literalText(n);
    if (t !== undefined && hasWords(t)) found.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, text: n.getText(sf) });
  };
  const reportExpr = (e: ts.Expression) => shownLiterals(e).forEach(report);
  const reportObject = (o: ts.Expression) => {
    if (!ts.isObjectLiteralExpression(o)) return;
    for (const p of o.properties) if (ts.isPropertyAssignment(p) && SHOWN_PROPERTIES.has(p.name.getText(sf))) reportExpr(p.initializer);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const callee = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : ts.isIdentifier(n.expression) ? n.expression.text : '';
      // vscode.l10n.t itself is the way through: what is inside it is the key.
      if (callee === 't' && /\bl10n\.t$/.test(n.expression.getText(sf))) return;
      // The message and its buttons; an options object ({ modal, detail }) is checked below like any object.
      if (SHOW_CALLS.has(callee)) n.arguments.filter((a) => !ts.isObjectLiteralExpression(a)).forEach(reportExpr);
    }
    // Options of showInputBox / showQuickPick / withProgress, `{ title: 'Generate', command: … }` (CodeLens,
    // status bar commands), `{ label: … }` (quick pick items), `{ modal: true, detail: … }`.
    if (ts.isObjectLiteralExpression(n)) reportObject(n);
    // `throw new Error('…')`: an error the glue raises ends up in a notification or the panel.
    if (ts.isNewExpression(n) && /(Error|Refusal|Refused)$/.test(n.expression.getText(sf)) && n.arguments?.[0]) reportExpr(n.arguments[0]);
    // `item.text = '…'`, `lens.tooltip = '…'`, `pick.placeholder = '…'`.
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && SHOWN_ASSIGNED.has(n.left.name.text)) {
      reportExpr(n.right);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('l10n: no user-facing string bypasses vscode.l10n', () => {
  const glue = ['src/vscode', 'src/panel'].flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f)));

  it('finds the glue files', () => {
    assert.ok(glue.length > 20, `only ${glue.length} files under src/vscode and src/panel`);
  });

  it('every message, error, quick pick, input box, status bar item and CodeLens title in src/vscode and src/panel goes through vscode.l10n.t', () => {
    const found = glue.flatMap((f) => bypasses(f, readFileSync(path.join(root, f), 'utf8')));
    assert.deepEqual(found.map((b) => `${b.file}:${b.line} ${b.text}`), [], 'wrap these in vscode.l10n.t (then run npm run l10n and translate the new keys)');
  });

  // The check must be able to fail: each of these is a way a string slips past translation.
  const cases: [string, string][] = [
    ['a message', "vscode.window.showErrorMessage('Pictor: something broke');"],
    ['a button', "vscode.window.showWarningMessage(vscode.l10n.t('Sure?'), 'Yes');"],
    ['a template message', 'vscode.window.showInformationMessage(`Saved ${n} images`);'],
    ['a message built with +', "vscode.window.showInformationMessage('Saved ' + name);"],
    ['one branch of a choice', "vscode.window.showInformationMessage(ok ? vscode.l10n.t('Done') : 'Failed');"],
    ['a modal detail', "vscode.window.showWarningMessage(vscode.l10n.t('Sure?'), { modal: true, detail: 'It costs money' });"],
    ['an input box prompt', "vscode.window.showInputBox({ prompt: 'Describe the image', value: v });"],
    ['a quick pick placeholder', "vscode.window.showQuickPick(items, { placeHolder: 'Pick one' });"],
    ['a quick pick item', "const items = [{ label: 'Open the file', id: 1 }];"],
    ['a status bar text', "item.text = '$(sync~spin) Pictor running';"],
    ['a status bar tooltip', 'item.tooltip = `${n} tasks running`;'],
    ['a CodeLens title', "new vscode.CodeLens(range, { title: 'Generate', command: 'pictor.generatePlaceholder' });"],
    ['a progress title', "vscode.window.withProgress({ location: 15, title: 'Generating' }, run);"],
    ['an error the glue throws', 'throw new PlaceError(`${file} could not be written`);'],
  ];
  for (const [what, code] of cases) {
    it(`would catch ${what}`, () => {
      assert.equal(bypasses('case.ts', code).length, 1, code);
    });
  }

  const fine: [string, string][] = [
    ['a translated message', "vscode.window.showErrorMessage(vscode.l10n.t('Pictor: {0}', why), vscode.l10n.t('Show Log'));"],
    ['a value the user wrote', 'vscode.window.showInputBox({ prompt: vscode.l10n.t("Prompt"), value: previous });'],
    ['a codicon alone', "item.text = '$(sync~spin)';"],
    ['numbers and signs', 'lens.title = ` · ${size} · ${quality}${count}`;'],
    ['a command id', "const c = { title: vscode.l10n.t('Generate'), command: 'pictor.generatePlaceholder' };"],
    ['a translated error', "throw new Error(vscode.l10n.t('Open a folder first.'));"],
  ];
  for (const [what, code] of fine) {
    it(`lets ${what} through`, () => {
      assert.deepEqual(bypasses('case.ts', code), [], code);
    });
  }
});
