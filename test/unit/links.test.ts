import assert from 'node:assert/strict';
import { DEFAULT_DESTINATION, DestinationOptions, globToRegExp, resolveDestination } from '../../src/core/destination';
import { fileOfLink, imageLines, linkPath, markdownImage, relativeLink } from '../../src/core/markdownEdits';
import { fileBaseName, slugify, uniqueSuffix } from '../../src/core/fileNames';
import { scanMarkdown } from '../../src/core/placeholders';

describe('slugify', () => {
  const cases: Array<[string, string]> = [
    ['A red fox asleep in fresh snow, watercolor', 'a-red-fox-asleep-in-fresh-snow-watercolor'],
    ['A red fox asleep in fresh snow, watercolor, soft morning light', 'a-red-fox-asleep-in-fresh-snow-watercolor-soft'],
    ['  Hello,   World!!  ', 'hello-world'],
    ["Don't panic — it’s fine", 'dont-panic-its-fine'],
    ['snake_case and kebab-case', 'snake-case-and-kebab-case'],
    ['東京の夜景', '東京の夜景'],
    ['東京の夜景、水彩画', '東京の夜景-水彩画'],
    ['Tokyo 東京 night', 'tokyo-東京-night'],
    ['Crème brûlée', 'crème-brûlée'],
    ['Cre\u0300me bru\u0302le\u0301e', 'crème-brûlée'],
    ['ＦＵＬＬ ｗｉｄｔｈ ﬁre', 'full-width-fire'],
    ['नमस्ते दुनिया', 'नमस्ते-दुनिया'],
    ['Ελληνικά και Русский', 'ελληνικά-και-русский'],
    ['🦊🔥✨', 'image'],
    ['', 'image'],
    ['  ...!!! ', 'image'],
    ['..', 'image'],
    ['.', 'image'],
    ['.hidden file.', 'hidden-file'],
    ['CON', 'image-con'],
    ['con', 'image-con'],
    ['Aux', 'image-aux'],
    ['nul', 'image-nul'],
    ['COM1', 'image-com1'],
    ['lpt9', 'image-lpt9'],
    ['COM¹', 'image-com1'],
    ['console', 'console'],
    ['con txt', 'con-txt'],
    ['🦊 1024 × 768', '1024-768'],
  ];
  for (const [prompt, slug] of cases) {
    it(`${JSON.stringify(prompt)} -> ${slug}`, () => assert.equal(slugify(prompt), slug));
  }

  it('cuts at a word boundary within maxLength', () => {
    assert.equal(slugify('red fox asleep', 10), 'red-fox');
    assert.equal(slugify('red fox asleep', 7), 'red-fox');
    assert.equal(slugify('red fox asleep', 6), 'red');
  });

  it('cuts a single over-long word (CJK has no spaces) without breaking a character', () => {
    const long = '東京の夜景'.repeat(12); // 60 code points
    assert.equal(slugify(long), long.slice(0, 48));
    assert.equal(slugify('𠮷'.repeat(60)), '𠮷'.repeat(48), 'astral characters count once');
    assert.equal(slugify('नमस्ते', 3), 'नम', 'a vowel sign is not cut from its letter');
  });

  it('a Windows device name with an extension-like tail is also avoided', () => {
    for (const prompt of ['CON', 'prn', 'LPT1']) {
      assert.doesNotMatch(slugify(prompt), /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
    }
  });
});

describe('uniqueSuffix and fileBaseName', () => {
  it('uniqueSuffix is four lowercase hex characters and varies', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 64; i++) {
      const s = uniqueSuffix();
      assert.match(s, /^[0-9a-f]{4}$/);
      seen.add(s);
    }
    assert.ok(seen.size > 1);
  });

  it('joins slug and suffix', () => {
    assert.equal(fileBaseName('Red fox asleep in snow!', '3f9c'), 'red-fox-asleep-in-snow-3f9c');
    assert.equal(fileBaseName('🦊', 'abcd'), 'image-abcd');
    assert.equal(fileBaseName('東京の夜景', '0000'), '東京の夜景-0000');
    assert.match(fileBaseName('a red fox'), /^a-red-fox-[0-9a-f]{4}$/);
  });
});

describe('resolveDestination', () => {
  const ws = '/work/site';
  const doc = '/work/site/docs/guide/intro.md';
  const resolve = (patterns: Record<string, string>, more: Partial<DestinationOptions> = {}) =>
    resolveDestination({ documentPath: doc, workspaceFolder: ws, patterns, fileName: 'fox-3f9c', ext: 'png', ...more });
  const fileOf = (patterns: Record<string, string>, more: Partial<DestinationOptions> = {}) => {
    const r = resolve(patterns, more);
    assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
    assert.equal(r.file.startsWith(`${r.dir}/`), true, 'file is inside dir');
    assert.equal(r.file.slice(r.dir.length + 1).includes('/'), false, 'dir is the direct parent');
    return r.file;
  };

  it('defaults to an images/ folder beside the document', () => {
    assert.equal(DEFAULT_DESTINATION, 'images/');
    assert.deepEqual(resolve({}), { ok: true, dir: '/work/site/docs/guide/images', file: '/work/site/docs/guide/images/fox-3f9c.png' });
  });

  const globs: Array<[string, Record<string, string>, string]> = [
    ['no glob matches: default', { 'blog/**': '/blog-img/' }, '/work/site/docs/guide/images/fox-3f9c.png'],
    ['docs/** to a workspace-root folder', { 'docs/**': '/assets/' }, '/work/site/assets/fox-3f9c.png'],
    ['first match wins, in object order', { '**/*.md': 'md/', 'docs/**': '/docs-assets/' }, '/work/site/docs/guide/md/fox-3f9c.png'],
    ['an unanchored glob matches at any depth', { 'guide/*.md': '/g/' }, '/work/site/g/fox-3f9c.png'],
    ['*.md matches in subfolders too (as in VS Code)', { '*.md': '/all/' }, '/work/site/all/fox-3f9c.png'],
    ['an anchored glob must match from the root', { '/guide/**': '/no/', '/docs/guide/*': '/yes/' }, '/work/site/yes/fox-3f9c.png'],
    ['{a,b} alternatives', { 'docs/{api,guide}/*.{md,mdx}': '/alt/' }, '/work/site/alt/fox-3f9c.png'],
    ['? matches one character', { 'docs/guide/intr?.md': '/q/', '**': '/fallback/' }, '/work/site/q/fox-3f9c.png'],
    ['? does not match two', { 'docs/guide/int?.md': '/q/', '**': '/fallback/' }, '/work/site/fallback/fox-3f9c.png'],
    ['* stays within a folder', { '/docs/*.md': '/star/', '/docs/**/*.md': '/globstar/' }, '/work/site/globstar/fox-3f9c.png'],
    ['[class]', { 'docs/guide/[hi]ntro.md': '/cls/' }, '/work/site/cls/fox-3f9c.png'],
  ];
  for (const [name, patterns, file] of globs) {
    it(name, () => assert.equal(fileOf(patterns), file));
  }

  const variables: Array<[string, string]> = [
    ['${documentDirName}/pics/', '/work/site/docs/guide/pics/fox-3f9c.png'],
    ['/media/${documentRelativeDirName}/', '/work/site/media/docs/guide/fox-3f9c.png'],
    ['/media/${documentFileName}/', '/work/site/media/intro.md/fox-3f9c.png'],
    ['${documentBaseName}-images/', '/work/site/docs/guide/intro-images/fox-3f9c.png'],
    ['/by-type/${documentExtName}/', '/work/site/by-type/md/fox-3f9c.png'],
    ['${documentFilePath}.assets/', '/work/site/docs/guide/intro.md.assets/fox-3f9c.png'],
    ['/mirror/${documentRelativeFilePath}/', '/work/site/mirror/docs/guide/intro.md/fox-3f9c.png'],
    ['${documentWorkspaceFolder}/static/', '/work/site/static/fox-3f9c.png'],
    ['img/${documentBaseName}-${fileName}', '/work/site/docs/guide/img/intro-fox-3f9c.png'],
    ['img/${fileExtName}/', '/work/site/docs/guide/img/png/fox-3f9c.png'],
  ];
  for (const [pattern, file] of variables) {
    it(`variable: ${pattern}`, () => assert.equal(fileOf({ '**': pattern }), file));
  }

  it('a file pattern without an extension gets the real one; a wrong image extension is replaced', () => {
    assert.equal(fileOf({ '**': 'img/${documentBaseName}-hero' }), '/work/site/docs/guide/img/intro-hero.png');
    assert.equal(fileOf({ '**': 'img/hero.jpg' }, { ext: 'webp' }), '/work/site/docs/guide/img/hero.webp');
    assert.equal(fileOf({ '**': 'img/hero.jpg' }, { ext: 'jpeg' }), '/work/site/docs/guide/img/hero.jpg');
    assert.equal(fileOf({ '**': 'img/hero.v2' }), '/work/site/docs/guide/img/hero.v2.png');
    assert.equal(fileOf({}, { ext: '.WEBP' }), '/work/site/docs/guide/images/fox-3f9c.webp');
  });

  it('empty, "." and ".." patterns are folders relative to the document', () => {
    assert.equal(fileOf({ '**': '' }), '/work/site/docs/guide/fox-3f9c.png');
    assert.equal(fileOf({ '**': '.' }), '/work/site/docs/guide/fox-3f9c.png');
    assert.equal(fileOf({ '**': '..' }), '/work/site/docs/fox-3f9c.png');
    assert.equal(fileOf({ '**': '../shared/img/' }), '/work/site/docs/shared/img/fox-3f9c.png');
  });

  it('a document at the workspace root: relative dir variable does not become absolute', () => {
    const more = { documentPath: '/work/site/README.md' };
    assert.equal(fileOf({ '**': '${documentRelativeDirName}/x/' }, more), '/work/site/x/fox-3f9c.png');
    assert.equal(fileOf({ '**': '/assets/${documentRelativeDirName}/' }, more), '/work/site/assets/fox-3f9c.png');
    assert.equal(fileOf({}, more), '/work/site/images/fox-3f9c.png');
  });

  it('a pattern that escapes the workspace folder is refused, naming pattern and folder', () => {
    for (const pattern of ['../../../../etc/', '${documentWorkspaceFolder}/../elsewhere/', '/../up/', '../../../../../../../../x/']) {
      const r = resolve({ 'docs/**': pattern });
      assert.equal(r.ok, false, pattern);
      assert.ok(!r.ok && r.error.includes(`"${pattern}"`) && r.error.includes('"/work/site"'), !r.ok ? r.error : '');
    }
    // Climbing and coming back in is fine.
    assert.equal(fileOf({ '**': '../../../site/back/' }), '/work/site/back/fox-3f9c.png');
  });

  it('a pattern that names the workspace folder itself puts the file at its root', () => {
    assert.equal(fileOf({ '**': '/' }), '/work/site/fox-3f9c.png');
  });

  it('spaces in folder and document names', () => {
    const more = { workspaceFolder: '/home/me/My Site', documentPath: '/home/me/My Site/my docs/My Notes.md' };
    assert.equal(fileOf({}, more), '/home/me/My Site/my docs/images/fox-3f9c.png');
    assert.equal(fileOf({ 'my docs/*': '${documentBaseName} images/' }, more), '/home/me/My Site/my docs/My Notes images/fox-3f9c.png');
    assert.equal(fileOf({ 'my docs/*': '/Shared Images/' }, more), '/home/me/My Site/Shared Images/fox-3f9c.png');
  });

  it('Windows paths and backslashes are accepted and come back as POSIX', () => {
    const more = { workspaceFolder: 'C:\\Users\\me\\site', documentPath: 'c:\\Users\\me\\site\\docs\\a.md' };
    assert.deepEqual(resolve({}, more), { ok: true, dir: 'c:/Users/me/site/docs/images', file: 'c:/Users/me/site/docs/images/fox-3f9c.png' });
    assert.equal(fileOf({ 'docs/**': '\\assets\\img\\' }, more), 'c:/Users/me/site/assets/img/fox-3f9c.png');
    const outside = resolve({ '**': 'D:\\elsewhere\\' }, more);
    assert.equal(outside.ok, false);
  });

  it('\\$ is a literal dollar and a lone $ stays as written', () => {
    assert.equal(fileOf({ '**': 'price-\\$5/' }), '/work/site/docs/guide/price-$5/fox-3f9c.png');
    assert.equal(fileOf({ '**': 'a$b/' }), '/work/site/docs/guide/a$b/fox-3f9c.png');
  });

  it('unknown variables, bad globs, bad values and stray documents are errors, not odd paths', () => {
    const unknown = resolve({ '**': '${nope}/' });
    assert.ok(!unknown.ok && unknown.error.includes('${nope}'));
    const glob = resolve({ '[z-a]': 'x/' });
    assert.ok(!glob.ok && glob.error.includes('[z-a]'));
    const value = resolve({ '**': 42 as unknown as string });
    assert.ok(!value.ok && value.error.includes('**'));
    const stray = resolve({}, { documentPath: '/tmp/a.md' });
    assert.ok(!stray.ok && stray.error.includes('/tmp/a.md') && stray.error.includes('/work/site'));
    const relativeDoc = resolve({}, { documentPath: 'docs/a.md' });
    assert.equal(relativeDoc.ok, false);
  });
});

describe('globToRegExp', () => {
  const cases: Array<[string, string, boolean]> = [
    ['**', 'a/b/c.md', true],
    ['docs/**', 'docs/a.md', true],
    ['docs/**', 'x/docs/a/b.md', true],
    ['/docs/**', 'x/docs/a.md', false],
    ['*.md', '.hidden.md', true],
    ['*.md', 'a.mdx', false],
    ['a.md', 'xa.md', false],
    ['a+b (1).md', 'a+b (1).md', true],
    ['{a,b/c}.md', 'b/c.md', true],
    ['{a,b/c}.md', 'c.md', false],
    ['[!a]x.md', 'bx.md', true],
    ['[!a]x.md', 'ax.md', false],
  ];
  for (const [glob, path, expected] of cases) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(globToRegExp(glob).test(path), expected));
  }
});

describe('relativeLink', () => {
  const cases: Array<[string, string, string, string]> = [
    ['into a subfolder', '/ws/docs/a.md', '/ws/docs/images/x.png', 'images/x.png'],
    ['same folder, no ./', '/ws/docs/a.md', '/ws/docs/x.png', 'x.png'],
    ['up and over', '/ws/docs/guide/a.md', '/ws/img/x.png', '../../img/x.png'],
    ['spaces', '/ws/my docs/a.md', '/ws/my docs/my images/x 1.png', '<my images/x 1.png>'],
    ['spaces above the document', '/ws/docs/a.md', '/ws/My Site/x.png', '<../My Site/x.png>'],
    ['parentheses', '/ws/docs/a.md', '/ws/docs/img (old)/x.png', '<img (old)/x.png>'],
    ['angle brackets are escaped', '/ws/a.md', '/ws/a<b>.png', '<a\\<b\\>.png>'],
    ['backslashes are separators', '/ws/a.md', '/ws/odd\\a(b.png', '<odd/a(b.png>'],
    ['character reference look-alike', '/ws/a.md', '/ws/a&amp;b.png', '<a\\&amp;b.png>'],
    ['plain ampersand', '/ws/a.md', '/ws/rock&roll.png', 'rock&roll.png'],
    ['non-ASCII is not percent-encoded', '/ws/a.md', '/ws/images/東京の夜景-3f9c.png', 'images/東京の夜景-3f9c.png'],
    ['Windows paths', 'C:\\ws\\docs\\a.md', 'c:\\ws\\docs\\images\\x.png', 'images/x.png'],
    ['Windows paths up', 'C:\\ws\\docs\\a.md', 'C:\\ws\\Shared Images\\x.png', '<../Shared Images/x.png>'],
    ['%, # and ? are percent-encoded (an escape, a fragment, a query to every viewer)', '/ws/a.md', '/ws/100%/a#b?.png', '100%25/a%23b%3F.png'],
  ];
  for (const [name, from, to, link] of cases) {
    it(name, () => assert.equal(relativeLink(from, to), link));
  }

  it('every link reads back as the same path when put in an image', () => {
    const paths = ['images/x.png', 'my images/x 1.png', '../My Site/x.png', 'img (old)/x.png', 'a<b>.png', 'a&amp;b.png', 'a)b.png', 'x\\y.png', 'rock&roll.png'];
    for (const path of paths) {
      const link = relativeLink('/ws/d/a.md', `/ws/d/${path}`);
      const [img] = scanMarkdown(markdownImage('fox', link)).images;
      assert.ok(img, `${link} is an image`);
      // Backslashes in POSIX names become separators: the one documented loss.
      assert.equal(img.url, path.replace(/\\/g, '/'), link);
    }
  });
});

describe('markdownImage and imageLines', () => {
  it('trims the alt and keeps it on one line', () => {
    assert.equal(markdownImage('  a red fox  ', 'images/x.png'), '![a red fox](images/x.png)');
    assert.equal(markdownImage('line one\n\nline two\r\n', 'x.png'), '![line one line two](x.png)');
  });

  it('escapes what would break the label', () => {
    assert.equal(markdownImage('a [b] \\ c', 'x.png'), '![a \\[b\\] \\\\ c](x.png)');
    assert.equal(markdownImage('`tick <http://x', 'x.png'), '![\\`tick \\<http://x](x.png)');
  });

  it('the parsed alt equals the prompt for awkward prompts', () => {
    const prompts = ['a [b] c', 'back\\slash', 'trailing \\', 'a ] ( ) [', 'unclosed `tick', '<div> tag', 'see <https://x.y>', '&copy; 2024', '東京の夜景 [夜]'];
    for (const prompt of prompts) {
      const text = `Before ${markdownImage(prompt, 'x.png')} after \` and > later`;
      const scan = scanMarkdown(text);
      assert.equal(scan.images.length, 1, text);
      assert.equal(scan.images[0]!.url, 'x.png', text);
      // An empty link turns the same alt into a placeholder, whose prompt is the parsed alt.
      const [p] = scanMarkdown(markdownImage(prompt, '')).placeholders;
      assert.equal(p!.prompt, prompt, prompt);
    }
  });

  it('one image per line, in order, with the document line ending', () => {
    assert.equal(imageLines('fox', ['a.png', '<b c.png>'], '\n'), '![fox](a.png)\n![fox](<b c.png>)');
    const crlf = imageLines(' fox ', ['1.png', '2.png', '3.png'], '\r\n');
    assert.equal(crlf, '![fox](1.png)\r\n![fox](2.png)\r\n![fox](3.png)');
    assert.deepEqual(scanMarkdown(crlf).images.map((i) => i.url), ['1.png', '2.png', '3.png']);
    assert.equal(imageLines('fox', [], '\n'), '');
  });
});

describe('fileOfLink and linkPath (a link destination → the file it names, for every face)', () => {
  const dir = '/work/docs';
  it('resolves a relative destination from the page\'s folder, percent-decoded, without <…>, a query or a fragment', () => {
    assert.equal(fileOfLink(dir, 'images/fox.png'), '/work/docs/images/fox.png');
    assert.equal(fileOfLink(dir, 'my%20pic.png'), '/work/docs/my pic.png');
    assert.equal(fileOfLink(dir, '<my pic.png>'), '/work/docs/my pic.png');
    assert.equal(fileOfLink(dir, '../a.png#x'), '/work/a.png');
    assert.equal(fileOfLink(dir, './a.png?v=2'), '/work/docs/a.png');
    assert.equal(fileOfLink(dir, '/abs/a.png'), '/abs/a.png');
  });
  it('takes a file: URL\'s path and no file for a web address or another scheme', () => {
    assert.equal(fileOfLink(dir, 'file:///tmp/a%20b.png'), '/tmp/a b.png');
    assert.equal(fileOfLink(dir, 'https://example.com/a.png'), undefined);
    assert.equal(fileOfLink(dir, 'data:image/png;base64,AAAA'), undefined);
    assert.equal(fileOfLink(dir, 'file://host/a.png'), undefined);
  });
  it('reads back, through the scanner, the link relativeLink writes', () => {
    for (const file of ['/work/docs/images/fox.png', '/work/docs/my pic (1).png', '/work/other/a&amp;.png', '/work/docs/a#b.png', '/work/docs/100%.png', '/work/docs/why?.png', '/work/docs/a%41.png']) {
      const text = markdownImage('a fox', relativeLink('/work/docs/page.md', file));
      const url = scanMarkdown(text).images[0]?.url;
      assert.ok(url !== undefined, text);
      assert.equal(fileOfLink(dir, url), file, text);
    }
  });
  it('takes text that does not decode as it is', () => {
    assert.equal(linkPath('a%zz.png'), 'a%zz.png');
    assert.equal(linkPath('100%25/a%23b%3F.png'), '100%/a#b?.png');
    assert.equal(linkPath(' <a b.png> '), 'a b.png');
  });
});
