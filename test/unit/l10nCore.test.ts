// The core speaks in codes (issue 11 item 6, issue 14 item 3): nothing under src/core or src/shared
// writes an English sentence that can reach a notification, the panel or a tool answer without a
// code in src/shared/words.ts, which the edge words in the user's language. Two checks:
// - the sources: every literal with prose in src/core and src/shared is either a template of
//   words.ts, part of a log line (the log is English by design, like VS Code's own), or listed below
//   with the reason it never reaches a person; a new sentence anywhere else fails here;
// - the errors themselves: the core's error paths carry words whose English is their message, and
//   worded through the zh-cn bundle they read without an English phrase left in them.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as ts from 'typescript';
import { checkResultHop, guardedLookup } from '../../src/core/api/addresses';
import { PictorError } from '../../src/core/api/errors';
import { checkUrl, classifyError, readText } from '../../src/core/api/http';
import { Dispatchers } from '../../src/core/api/proxy';
import { stoppedError } from '../../src/core/jobs/queueState';
import { sizeNote } from '../../src/core/jobs/fetching';
import { retryNeedsConfirmation } from '../../src/core/jobs/states';
import { coerceSetting } from '../../src/core/settings';
import type { JobRecord } from '../../src/core/store';
import { english, isWords, renderWith, words, type Words } from '../../src/shared/words';

const root = path.join(__dirname, '..', '..', '..');

/** Prose: two or more plain English words (Latin letters, hyphenated or not, a trailing comma, colon, semicolon or stop allowed). */
export function isProse(text: string): boolean {
  return text.split(/\s+/).filter((w) => /^[A-Za-z]{2,}(-[A-Za-z]+)*[,:;.]?$/.test(w)).length >= 2;
}

/** Callees whose arguments are the log (English for whoever reads it with Show Log). */
const LOG_CALLS = new Set(['log', 'trace', 'debug', 'info', 'warn', 'error', 'emitWarning']);
/** ValidationError.limit and .value: the rule and what was seen, as data (tests), never shown: its words are. */
const DATA_PROPERTIES = new Set(['limit', 'value']);

export interface Prose { file: string; line: number; text: string }

/** Every literal with prose in one core file that is neither a log line nor data. */
export function coreProse(file: string, source: string): Prose[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Prose[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isLiteralTypeNode(n)) return;
    if (ts.isCallExpression(n)) {
      const callee = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : ts.isIdentifier(n.expression) ? n.expression.text : '';
      if (LOG_CALLS.has(callee)) return;
    }
    if (ts.isPropertyAssignment(n) && DATA_PROPERTIES.has(n.name.getText(sf))) return;
    let text: string | undefined;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) text = n.text;
    else if (ts.isTemplateExpression(n)) text = [n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join(' x ');
    if (text !== undefined) {
      if (isProse(text)) found.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, text: n.getText(sf) });
      if (!ts.isTemplateExpression(n)) return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/**
 * Prose the core keeps in English because no person reads it, each with where it goes instead.
 * [file, what the literal starts with, why]. An entry that no longer matches anything fails too.
 */
const NEVER_SHOWN: [string, string, string][] = [
  ['src/core/fileStore.ts', "'no \"jobs\" array'", 'caught in migrate(): the old file is set aside and onCorrupt (or a process warning) is told'],
  ['src/core/fileStore.ts', "'no job in the file'", 'caught in readRecord(): the job file is set aside and onCorrupt (or a process warning) is told'],
  ['src/core/jobs/queueState.ts', '`maxConcurrent must be', "the queue's contract: settings.ts clamps pictor.maxConcurrentTasks before it gets here"],
  ['src/core/jobs/queueState.ts', '`timeoutMinutes must be', "the queue's contract: settings.ts clamps pictor.timeoutMinutes before it gets here"],
  ['src/core/request.ts', '`Expected ${paths.length} uploaded URLs', 'an invariant of the upload phase (one URL per uploaded file): a bug, not a situation to explain'],
  ['src/core/request.ts', '`No uploaded URL for the reference image', 'the same invariant, per reference'],
  ['src/core/api/proxy.ts', "'no PEM certificate in it'", 'caught in extraCertificates and written to the log'],
  ['src/core/api/download.ts', "'too big'", 'a marker caught in the same function, which throws download.tooBig'],
  ['src/core/api/upload.ts', '`Content-Disposition: form-data;', 'multipart headers of the upload request: protocol, not words'],
  ['src/core/api/addresses.ts', '`No address for ${hostname}`', 'carries ENOTFOUND, which classifyError words by its code (error.lookup)'],
  ['src/core/pngText.ts', '', 'reading and writing PNG chunks for recipes: recipeHook.ts catches these and logs them'],
  ['src/core/preview.ts', '', 'why no preview was made: previewParts (src/vscode/tools/preview.ts) drops it; the answer still names the file'],
  ['src/core/previewThread.ts', '', 'the same'],
  ['src/core/xmp.ts', '', "reading and writing XMP for recipes: stampStagedImage falls back to the sidecar on any of these, the readers answer undefined"],
  ['src/core/convert.ts', '', "why a light-file conversion failed, for the log: the option's values are checked when the request is planned, and the caller that places the file words the failure with its own code (issue 24 wiring)"],
  ['src/core/convertCodecs.ts', '', 'the same, from the worker thread'],
  ['src/core/resample.ts', '`cannot scale', 'an invariant: convert.ts asks only to shrink (convertedSize), a bug if it did not'],
  ['src/core/recipe.ts', "'the image changed while adding its recipe'", 'caught by recipeHook.ts, logged; the image is saved without a recipe'],
  ['src/core/recipe.ts', "'the recipe could not be read back'", 'the same'],
  ['src/core/requestReferences.ts', "'public host'", "the callback rule's ValidationError.limit (data, as above), passed to fail() beside its words"],
  ['src/core/scan/parser.ts', "`markdown-it's ${which} rules are not", "installed markdown-it's rules against the scanner's table of them: thrown when the module loads after a markdown-it upgrade, a programming error"],
  ['src/core/scan/parser.ts', '`${all.length} rules, expected', 'the detail of that error'],
  ['src/core/scan/parser.ts', '`${name} is ', 'the same'],
  ['src/core/scan/parser.ts', "`The scanner's markdown-it does not run", 'the same check on the scanner\'s own instance, at load time'],
  ['src/shared/messageCheck.ts', '', "refusals of malformed webview messages: the panel logs them (messages.ts refuse) and never shows them"],
  ['src/core/stateDir.ts', "'Application Support'", "the name of macOS's folder for application data: part of a path, not words"],
  ['src/core/keyColour.ts', '`Draw the subject alone on a perfectly flat', "the key-colour instruction appended to the prompt: the model reads English; the user sees it only as part of the prompt sent"],
  ['src/core/jobs/queueState.ts', "'Do not know how to serialize a BigInt'", "copyJson's copy of JSON.stringify's TypeError: no job record holds a BigInt, a bug if one did"],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

describe('l10n: the core says nothing in English without a code', () => {
  const files = [...sourceFiles('src/core'), ...sourceFiles('src/shared')].filter((f) => f !== 'src/shared/words.ts');
  const found = files.flatMap((f) => coreProse(f, readFileSync(path.join(root, f), 'utf8')));
  const excused = (p: Prose) => NEVER_SHOWN.some(([file, start]) => p.file === file && p.text.startsWith(start));

  it('reads the core and the shared layer', () => {
    assert.ok(files.length > 50, `only ${files.length} files under src/core and src/shared`);
    assert.ok(found.length > 20, 'the excused literals should be found: the scan reads nothing');
  });

  it('every sentence in src/core and src/shared is a code of src/shared/words.ts (or a log line)', () => {
    const bare = found.filter((p) => !excused(p)).map((p) => `${p.file}:${p.line} ${p.text}`);
    assert.deepEqual(bare, [], 'give these a code in src/shared/words.ts, and a zh-cn translation (npm run l10n lists it)');
  });

  it('every excuse still matches a literal (no stale entries)', () => {
    const stale = NEVER_SHOWN.filter(([file, start]) => !found.some((p) => p.file === file && p.text.startsWith(start)));
    assert.deepEqual(stale.map(([f, s]) => `${f} ${s}`), []);
  });

  // The check must be able to fail: each of these is English that reached the user before.
  const caught: [string, string][] = [
    ['an error with a sentence', "throw new PictorError('invalid', 'A task id is required.');"],
    ['a plain Error with a template', 'throw new Error(`No free file name for ${name} in ${dir}.`);'],
    ['a sentence handed to a code as a parameter', "checkUrl(base, 'The EvoLink API URL setting');"],
    ['a note returned as a template', 'return `The provider delivered ${got} instead of the ${want} asked for.`;'],
    ['a record with an English message', "job.error = { kind: 'unknown', message: 'Pictor stopped before this task finished.', retryable: true };"],
    ['a reason kept in a constant', "export const REASON = 'The first attempt may already have been billed.';"],
    ['part of a sentence picked by a choice', "const where = first ? 'The result URL' : describeUrl(u);"],
    ['a problem built from parts', 'const problem = `${name} is ${raw}; using the default.`;'],
  ];
  for (const [what, code] of caught) {
    it(`would catch ${what}`, () => assert.equal(coreProse('case.ts', code).length, 1, code));
  }

  const fine: [string, string][] = [
    ['a code with its parameters', "throw new PictorError('download', words('download.noFreeName', `${base}.${ext}`, dir));"],
    ['a log line', "core.log('warn', `job ${job.id}: create failed: ${err.message}`);"],
    ['an optional logger', "opts.log?.('warn', 'http.proxyStrictSSL is off: certificates are not checked.');"],
    ['media types and headers', "const accept = 'image/png, image/jpeg, image/webp'; const h = `form-data; name=\"file\"`;"],
    ['a state name', "if (job.state === 'timed_out') return;"],
    ['a union of literals', "type Plan = 'finish' | 'download' | 'new task';"],
    ['a rule kept as data', "problem('prompt', words('request.promptEmpty'), { limit: '1 to 32,000 code points' });"],
  ];
  for (const [what, code] of fine) {
    it(`lets ${what} through`, () => assert.deepEqual(coreProse('case.ts', code), [], code));
  }
});

// ---- the errors themselves, worded in Chinese ---------------------------------------------------------

const zh = JSON.parse(readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
const zhT = (message: string, ...args: string[]) => (zh[message] ?? message).replace(/\{(\d+)\}/g, (m, i: string) => args[Number(i)] ?? m);
const inChinese = (w: Words): string => renderWith(zhT, w);

/** English phrases left in a worded message: prose once names, URLs and values are taken out. */
function englishLeft(s: string, values: string[]): string[] {
  let t = s;
  for (const v of values) t = t.split(v).join(' ');
  // Names and acronyms stay as they are in Chinese (Pictor, EvoLink, URL, HTTP, ID, JSON), as do addresses.
  t = t.replace(/Pictor|EvoLink|https?:\/\/[\x21-\x7e]*|http\(s\)|pictor\.\w+|\b[A-Z]{2,}\b/g, ' ');
  return isProse(t) ? [t] : [];
}

function caughtError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

describe('l10n: the core\'s errors carry their words, and read in Chinese', () => {
  /** The message the core keeps is the English of its words, and the Chinese has no English phrase. */
  const check = (what: string, e: { message?: string; words?: unknown } | Words | undefined, values: string[] = [], english_?: string) => {
    const w = isWords(e) ? e : (e as { words?: unknown })?.words;
    assert.ok(isWords(w), `${what}: no words on ${JSON.stringify(e)}`);
    if (!isWords(e)) assert.equal((e as { message: string }).message, english(w), `${what}: the message is not the English of its words`);
    if (english_ !== undefined) assert.equal(english(w), english_, `${what}: the English changed`);
    const said = inChinese(w);
    assert.deepEqual(englishLeft(said, values), [], `${what}: English left in the Chinese: ${said}`);
  };

  it('would see an English part left untranslated (a nested code without its zh-cn line)', () => {
    assert.equal(englishLeft('代理“ftp://proxy.corp”（来自 the proxy setting）不是有效的 URL。', []).length, 1);
    assert.deepEqual(englishLeft('EvoLink API URL 设置不是有效的 URL。', []), []);
  });

  it('a result URL or redirect into a private network, or not http(s)', () => {
    const trusted = new Set<string>();
    check('private', caughtError(() => checkResultHop(new URL('http://10.0.0.1/a.png'), trusted, true)) as PictorError, ['10.0.0.1'],
      'The result URL points at 10.0.0.1, a private network address; Pictor only downloads results from the internet or from the configured provider. Nothing was fetched from it.');
    check('redirect', caughtError(() => checkResultHop(new URL('http://127.0.0.1:9/x'), trusted, false)) as PictorError, ['http://127.0.0.1:9/x', '127.0.0.1:9']);
    check('scheme', caughtError(() => checkResultHop(new URL('ftp://x.example/a.png'), trusted, true)) as PictorError, ['ftp:'],
      'The result URL is not an http(s) address (ftp:); Pictor does not follow it.');
    check('redirect scheme', caughtError(() => checkResultHop(new URL('file:///etc/passwd'), trusted, false)) as PictorError, ['file:']);
  });

  it('a name that resolves into this computer, as the download reports it', async () => {
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup(new Set())('localhost', { all: true }, (e) => resolve(e)));
    assert.ok(err);
    const e = classifyError(err, 'download', 'localhost');
    check('lookup', e, ['localhost', '127.0.0.1', '::1']);
    assert.match(e.message, /^localhost resolves to a loopback address \(this computer\) \(.+\); Pictor only downloads results/);
  });

  it('an oversized answer, a bad API URL setting, an invalid proxy', async () => {
    check('too large', await readText(Readable.from([Buffer.alloc(10), Buffer.alloc(10)]) as never, 15).then(() => undefined, (e: unknown) => e) as PictorError, ['15'],
      'The answer was larger than 15 bytes.');
    check('bad URL', caughtError(() => checkUrl('not a url', words('url.apiSetting'))) as PictorError, [], 'The EvoLink API URL setting is not a valid URL.');
    const proxied = new Dispatchers({ connectTimeoutMs: 1000, proxy: 'ftp://proxy.corp', env: {} });
    check('proxy', caughtError(() => proxied.route(new URL('https://api.evolink.ai/v1'))) as PictorError, ['ftp://proxy.corp'],
      'The proxy "ftp://proxy.corp" (from the proxy setting) is not a valid http:// or https:// URL. Correct or clear the proxy setting. Nothing was sent.');
    void proxied.close();
  });

  it('the size note, the Retry question and a stopped queue', () => {
    const job = { body: { prompt: 'p', size: '1:1', resolution: '1K' } } as unknown as JobRecord;
    check('size note', sizeNote(job, [{ path: 'a.png', type: 'png', width: 1280, height: 720, bytes: 1 }]), ['1280×720', '1024×1024', '1:1', '1K'],
      'The provider delivered 1280×720 instead of the 1024×1024 asked for (1:1 at 1K).');
    check('retry', retryNeedsConfirmation({ state: 'unknown' }));
    check('stopped', stoppedError());
  });

  it('a setting that is not what its schema allows', () => {
    const clamped = coerceSetting('pictor.maxConcurrentTasks', 0, { type: 'integer', minimum: 1, maximum: 16, default: 3 });
    check('clamped', { message: clamped.problem, words: clamped.problemWords }, ['pictor.maxConcurrentTasks', '0', '1', '16'],
      'pictor.maxConcurrentTasks is 0; allowed: 1 to 16; using 1.');
    const wrong = coerceSetting('pictor.destination', 'x', { type: 'object', default: {} });
    check('default', { message: wrong.problem, words: wrong.problemWords }, ['pictor.destination', '"x"', '{}']);
    const entries = coerceSetting('pictor.destination', { a: 1 }, { type: 'object', additionalProperties: { type: 'string' } });
    check('entries', { message: entries.problem, words: entries.problemWords }, ['pictor.destination', '"a"']);
  });
});
