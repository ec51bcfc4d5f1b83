// pictor.destination read the way VS Code reads markdown.copyFiles.destination: picomatch globs and
// `${name/regex/replacement/}` transforms (issue 11 item 5), and the one never-overwrite routine.
import assert from 'node:assert/strict';
import { globToRegExp, resolveDestination } from '../../src/core/destination';
import { firstFreeName, numberedName } from '../../src/core/fileNames';

const ws = '/ws';
function dest(documentPath: string, patterns: Record<string, string>, fileName = 'fox-3f9c', ext = 'png') {
  return resolveDestination({ documentPath, workspaceFolder: ws, patterns, fileName, ext });
}
function fileOf(documentPath: string, patterns: Record<string, string>): string {
  const r = dest(documentPath, patterns);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.file;
}

describe('destination globs (picomatch, as markdown.copyFiles.destination)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['**/*.md', 'a.md', true],
    ['**/*.md', 'docs/deep/a.md', true],
    ['*.md', 'docs/a.md', true],
    ['docs/*.md', 'x/docs/a.md', true],
    ['/docs/*.md', 'x/docs/a.md', false],
    ['/docs/*.md', 'docs/a.md', true],
    ['*.@(md|markdown)', 'blog/post.markdown', true],
    ['*.@(md|markdown)', 'blog/post.mdx', false],
    ['!(drafts)/*.md', 'drafts/a.md', false],
    ['!(drafts)/*.md', 'posts/a.md', true],
    ['notes (old).md', 'notes (old).md', true],
    ['{blog,docs}/**', 'docs/a/b.md', true],
    ['.github/*.md', '.github/README.md', true],
  ];
  for (const [glob, path, expected] of cases) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(globToRegExp(glob).test(path), expected));
  }

  it('the first matching glob in the setting picks the pattern', () => {
    const patterns = { '/blog/**': '/static/img/', '**/*.md': 'assets/' };
    assert.equal(fileOf('/ws/blog/2026/post.md', patterns), '/ws/static/img/fox-3f9c.png');
    assert.equal(fileOf('/ws/docs/guide.md', patterns), '/ws/docs/assets/fox-3f9c.png');
  });
});

describe('destination transforms ${name/regex/replacement/}', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a capture group', '/ws/posts/2026-05-01-spring.md', '/images/${documentBaseName/^\\d+-\\d+-\\d+-(.*)$/$1/}/', '/ws/images/spring/fox-3f9c.png'],
    ['the first match only, no flags', '/ws/a-b-c.md', '${documentBaseName/-/_/}/', '/ws/a_b-c/fox-3f9c.png'],
    ['\\/ stands for a slash in the regex', '/ws/docs/api/page.md', '/img/${documentRelativeDirName/\\//-/}/', '/ws/img/docs-api/fox-3f9c.png'],
    ['\\/ stands for a slash in the replacement', '/ws/docs/page.md', '${documentBaseName/page/a\\/b/}.png', '/ws/docs/a/b.png'],
    ['the new file name', '/ws/a.md', 'images/${fileName/(.*)\\.(\\w+)$/$1-hero.$2/}', '/ws/images/fox-3f9c-hero.png'],
    ['$& is the match', '/ws/notes.md', '${documentBaseName/notes/$&-img/}/', '/ws/notes-img/fox-3f9c.png'],
    ['no match leaves the value as it is', '/ws/readme.md', '${documentBaseName/^draft-//}/', '/ws/readme/fox-3f9c.png'],
    ['an empty replacement removes the match', '/ws/draft-intro.md', '${documentBaseName/^draft-//}/', '/ws/intro/fox-3f9c.png'],
    ['with other variables and \\$ around it', '/ws/a.md', 'img/\\$${documentExtName/md/x/}/', '/ws/img/$x/fox-3f9c.png'],
  ];
  for (const [what, doc, pattern, expected] of cases) {
    it(`${what}: ${pattern}`, () => assert.equal(fileOf(doc, { '**': pattern }), expected));
  }

  it('a transform whose regular expression is not valid is an error that names it', () => {
    const r = dest('/ws/a.md', { '**': 'img/${documentBaseName/(/x/}/' });
    assert.ok(!r.ok);
    assert.match(r.error, /\/\(\/, which is not a valid regular expression/);
    assert.match(r.error, /img\/\$\{documentBaseName\/\(\/x\/\}\//);
  });

  it('a transform of an unknown variable is an unknown variable', () => {
    const r = dest('/ws/a.md', { '**': '${nope/a/b/}/' });
    assert.ok(!r.ok && r.error.includes('${nope/a/b/}') && r.error.includes('not a known variable'));
  });

  it('a transform cannot lead out of the workspace folder', () => {
    const r = dest('/ws/a.md', { '**': '${documentBaseName/a/..\\/..\\/etc/}/' });
    assert.ok(!r.ok && r.error.includes('leads outside the workspace folder'));
  });
});

describe('never overwrite: firstFreeName', () => {
  it('numbers a name before its extension, and a name without one at its end', () => {
    assert.equal(numberedName('/ws/images/fox.png', 1), '/ws/images/fox.png');
    assert.equal(numberedName('/ws/images/fox.png', 2), '/ws/images/fox-2.png');
    assert.equal(numberedName('/ws/im.ages/fox', 3), '/ws/im.ages/fox-3');
    assert.equal(numberedName('C:\\ws\\im.ages\\fox', 2), 'C:\\ws\\im.ages\\fox-2');
  });

  it('returns the first name the writer could take, trying each once in order', async () => {
    const tried: string[] = [];
    const taken = new Set(['a.png', 'a-2.png']);
    const got = await firstFreeName('a.png', async (n) => { tried.push(n); return taken.has(n) ? 'taken' : 'done'; }, 10);
    assert.equal(got, 'a-3.png');
    assert.deepEqual(tried, ['a.png', 'a-2.png', 'a-3.png']);
  });

  it('gives up after the given number of taken names', async () => {
    let calls = 0;
    assert.equal(await firstFreeName('a.png', async () => { calls++; return 'taken'; }, 5), undefined);
    assert.equal(calls, 5);
  });

  it('passes a writer\'s error on (a full disk is not a taken name)', async () => {
    await assert.rejects(firstFreeName('a.png', () => Promise.reject(new Error('ENOSPC')), 5), /ENOSPC/);
  });
});
