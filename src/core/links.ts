// Where a generated image goes, what it is called, and the Markdown that links it.
// Pure functions: the VS Code glue passes in the document path, its workspace folder and the
// `pictor.destination` setting, the way VS Code's own `markdown.copyFiles` logic is shaped.

import { randomBytes } from 'node:crypto';
import { english, words, type Words } from './words';

// ---------------------------------------------------------------------------------------------
// File names

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
const APOSTROPHES = /['\u2019\u02BC]/g;
// Marks (\p{M}) stay so scripts such as Devanagari or Thai keep their vowel signs.
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/**
 * A readable, file-system-safe slug: `"A red fox, asleep!"` -> `red-fox-asleep`,
 * `"東京の夜景"` -> `東京の夜景`. Cut at a word boundary within `maxLength` code points;
 * never empty (`image`), never a Windows device name, never dot- or dash-edged.
 */
export function slugify(prompt: string, maxLength = 48): string {
  const words = prompt.normalize('NFKC').toLowerCase().replace(APOSTROPHES, '').match(WORD) ?? [];
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (codePoints(next) <= maxLength) {
      slug = next;
    } else {
      // A single word longer than the limit (common in CJK, which has no spaces) is cut.
      if (!slug) slug = cutGraphemes(word, maxLength);
      break;
    }
  }
  slug = slug.replace(/^[.-]+|[.-]+$/g, '');
  if (!slug || slug === '.' || slug === '..') return 'image';
  if (WINDOWS_RESERVED.test(slug)) return `image-${slug}`;
  return slug;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cut to at most `max` code points without splitting a letter from its combining marks. */
function cutGraphemes(s: string, max: number): string {
  let out = '';
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)) {
    if (codePoints(out + segment) > max) break;
    out += segment;
  }
  return out;
}

/** Four lowercase hex characters, enough to keep two images of the same prompt apart. */
export function uniqueSuffix(): string {
  return randomBytes(2).toString('hex');
}

/** `red-fox-asleep-in-snow-3f9c`: the file name without its extension. */
export function fileBaseName(prompt: string, suffix: string = uniqueSuffix()): string {
  return `${slugify(prompt)}-${suffix}`;
}

// ---------------------------------------------------------------------------------------------
// Paths (POSIX inside; Windows paths are accepted and come back with forward slashes)

/** Splits an absolute or relative path into its root (`/`, `c:/`, `//server/share/`) and segments. */
function splitPath(p: string): { root: string; segments: string[] } {
  let s = p.replace(/\\/g, '/');
  let root = '';
  const drive = /^([a-zA-Z]):(\/|$)/.exec(s);
  const unc = /^\/\/([^/]+)\/([^/]+)(\/|$)/.exec(s);
  if (drive) {
    // VS Code's fsPath spells drives in lower case; one spelling keeps comparisons honest.
    root = `${drive[1].toLowerCase()}:/`;
    s = s.slice(drive[0].length);
  } else if (unc) {
    root = `//${unc[1]}/${unc[2]}/`;
    s = s.slice(unc[0].length);
  } else if (s.startsWith('/')) {
    root = '/';
  }
  return { root, segments: s.split('/').filter((x) => x !== '' && x !== '.') };
}

function isAbsolute(p: string): boolean {
  return splitPath(p).root !== '';
}

/** Normalises `p` (absolute) resolving `..`; `undefined` if it climbs above its root. */
function normalizeAbsolute(p: string): string | undefined {
  const { root, segments } = splitPath(p);
  const out: string[] = [];
  for (const seg of segments) {
    if (seg === '..') {
      if (!out.length) return undefined;
      out.pop();
    } else {
      out.push(seg);
    }
  }
  return root + out.join('/');
}

function join(a: string, b: string): string {
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

function dirname(p: string): string {
  const { root, segments } = splitPath(p);
  return root + segments.slice(0, -1).join('/');
}

function basename(p: string): string {
  const { segments } = splitPath(p);
  return segments[segments.length - 1] ?? '';
}

/** The extension with its dot (`.md`), `''` for none, as `path.extname` reads it. */
function extname(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

function relative(fromDir: string, to: string): string | undefined {
  const a = splitPath(fromDir);
  const b = splitPath(to);
  if (a.root !== b.root) return undefined;
  let i = 0;
  while (i < a.segments.length && i < b.segments.length && a.segments[i] === b.segments[i]) i++;
  return [...a.segments.slice(i).map(() => '..'), ...b.segments.slice(i)].join('/');
}

function isInside(folder: string, p: string): boolean {
  return p === folder || p.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

// ---------------------------------------------------------------------------------------------
// Destination

/** Used when no glob of `pictor.destination` matches: an `images/` folder beside the document. */
export const DEFAULT_DESTINATION = 'images/';

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'webp', 'gif']);

export interface DestinationOptions {
  /** Absolute path of the Markdown document (POSIX or Windows). */
  documentPath: string;
  /** Absolute path of the workspace folder that holds the document. */
  workspaceFolder: string;
  /** `pictor.destination`: glob of the document's workspace-relative path -> destination pattern. */
  patterns: Record<string, string>;
  /** The new file's name without extension, e.g. from `fileBaseName`. */
  fileName: string;
  /** The real image type's extension, with or without the dot. */
  ext: string;
}

/** `error` is the English of `words` (logs, tests); the UI words it in the user's language. */
export type DestinationResult = { ok: true; dir: string; file: string } | { ok: false; error: string; words: Words };

function refused(w: Words): DestinationResult {
  return { ok: false, error: english(w), words: w };
}

/**
 * Decides the absolute path of a new image, like VS Code's `markdown.copyFiles.destination`:
 *
 * - The first glob (in object order) that matches the document's path relative to the workspace
 *   folder picks the pattern. A glob starting with `/` is anchored at the workspace folder;
 *   any other glob may match at any depth (`*.md` matches `docs/a.md`), as in VS Code.
 *   No match: `images/` beside the document.
 * - Patterns use `${documentDirName}`, `${documentRelativeDirName}`, `${documentFileName}`,
 *   `${documentBaseName}`, `${documentExtName}`, `${documentFilePath}`,
 *   `${documentRelativeFilePath}`, `${documentWorkspaceFolder}`, `${fileName}` (the new file's
 *   name with extension) and `${fileExtName}`; `\$` is a literal `$`.
 * - A pattern ending in `/` is a folder and gets `${fileName}`; otherwise it names the file, and
 *   the real extension is added (or replaces a wrong image extension).
 * - A pattern starting with `/` is relative to the workspace folder; other relative results
 *   are relative to the document's folder.
 * - The result must stay inside the workspace folder.
 */
export function resolveDestination(opts: DestinationOptions): DestinationResult {
  const workspaceFolder = normalizeAbsolute(opts.workspaceFolder);
  const documentPath = normalizeAbsolute(opts.documentPath);
  if (!workspaceFolder || !isAbsolute(opts.workspaceFolder)) {
    return refused(words('dest.folderNotAbsolute', opts.workspaceFolder));
  }
  if (!documentPath || !isAbsolute(opts.documentPath)) {
    return refused(words('dest.documentNotAbsolute', opts.documentPath));
  }
  const relativeDocument = relative(workspaceFolder, documentPath);
  if (relativeDocument === undefined || relativeDocument === '..' || relativeDocument.startsWith('../') || relativeDocument === '') {
    return refused(words('dest.documentOutside', documentPath, workspaceFolder));
  }

  let pattern = DEFAULT_DESTINATION;
  for (const [glob, value] of Object.entries(opts.patterns ?? {})) {
    let matcher: RegExp;
    try {
      matcher = globToRegExp(glob);
    } catch {
      return refused(words('dest.badGlob', glob));
    }
    if (!matcher.test(relativeDocument)) continue;
    if (typeof value !== 'string') {
      return refused(words('dest.notString', glob));
    }
    pattern = value;
    break;
  }

  const ext = opts.ext.replace(/^\./, '').toLowerCase();
  const documentDir = dirname(documentPath);
  const documentFileName = basename(documentPath);
  const documentExt = extname(documentFileName);
  const relativeDir = relative(workspaceFolder, documentDir) ?? '';
  const vars: Record<string, string> = {
    documentDirName: documentDir,
    // '.' rather than '' so `${documentRelativeDirName}/x/` never turns into the absolute `/x/`.
    documentRelativeDirName: relativeDir || '.',
    documentFileName,
    documentBaseName: documentFileName.slice(0, documentFileName.length - documentExt.length),
    documentExtName: documentExt.slice(1),
    documentFilePath: documentPath,
    documentRelativeFilePath: relativeDocument,
    documentWorkspaceFolder: workspaceFolder,
    fileName: `${opts.fileName}.${ext}`,
    fileExtName: ext,
  };

  let raw = pattern.trim() || '${fileName}';
  // A leading separator means the workspace folder, as in VS Code (`//` would be a UNC path).
  if (/^[/\\](?![/\\])/.test(raw)) raw = '${documentWorkspaceFolder}/' + raw.slice(1);

  let unknown: string | undefined;
  const substituted = raw.replace(/\\\$|\$\{([^}]*)\}|\\/g, (match, name: string | undefined) => {
    if (match === '\\$') return '$';
    // Any other backslash is a Windows separator.
    if (match === '\\') return '/';
    if (name !== undefined && Object.hasOwn(vars, name)) return vars[name];
    unknown ??= match;
    return match;
  });
  if (unknown !== undefined) {
    return refused(words('dest.unknownVariable', pattern, unknown));
  }

  let target = isAbsolute(substituted) ? substituted : join(documentDir, substituted);
  // `images/`, `.`, `..` and the like name a folder: the new file goes inside.
  if (/(^|\/)\.{0,2}$/.test(substituted)) target = join(target, vars.fileName);
  const file = normalizeAbsolute(withExtension(target, ext));
  if (!file || !isInside(workspaceFolder, file) || file === workspaceFolder) {
    return refused(words('dest.outside', pattern, workspaceFolder));
  }
  return { ok: true, dir: dirname(file), file };
}

function withExtension(path: string, ext: string): string {
  const name = basename(path);
  const current = extname(name).slice(1).toLowerCase();
  const alias = (e: string) => (e === 'jpeg' ? 'jpg' : e);
  if (alias(current) === alias(ext)) return path;
  if (IMAGE_EXTENSIONS.has(current)) return `${path.slice(0, path.length - current.length)}${ext}`;
  return `${path}.${ext}`;
}

/**
 * A glob as in VS Code settings: `**` any number of folders, `*` and `?` within one segment,
 * `{a,b}` alternatives, `[abc]` classes. Dot files match like any other (VS Code's `dot: true`).
 */
export function globToRegExp(glob: string): RegExp {
  let g = glob.trim();
  if (g.startsWith('/')) g = g.slice(1);
  else if (!g.startsWith('**')) g = `**/${g}`;
  return new RegExp(`^${globBody(g)}$`, 'u');
}

function globBody(g: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        const atSegmentStart = i === 0 || g[i - 1] === '/';
        let j = i + 2;
        while (g[j] === '*') j++;
        if (atSegmentStart && g[j] === '/') {
          out += '(?:[^/]*/)*';
          i = j;
        } else if (atSegmentStart && j === g.length) {
          out += '.*';
          i = j - 1;
        } else {
          out += '[^/]*';
          i = j - 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) {
      out += '|';
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
      } else {
        const body = g.slice(i + 1, close).replace(/^!/, '^').replace(/[\\\]]/g, '\\$&');
        out += `[${body}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < g.length) {
      out += escapeRegExp(g[++i]);
    } else {
      out += escapeRegExp(c);
    }
  }
  return out + ')'.repeat(depth);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Links

/**
 * The path from the document to the file as a Markdown link destination: POSIX, relative,
 * not percent-encoded; wrapped in `<…>` when spaces, parentheses or other characters would
 * otherwise end or change the destination (as VS Code's Markdown paste does).
 */
export function relativeLink(fromDocumentPath: string, toFilePath: string): string {
  const from = normalizeAbsolute(fromDocumentPath) ?? fromDocumentPath.replace(/\\/g, '/');
  const to = normalizeAbsolute(toFilePath) ?? toFilePath.replace(/\\/g, '/');
  const path = relative(dirname(from), to) ?? to;
  // `&name;` would be read as a character reference. No backslash is left to escape: input
  // backslashes were taken as Windows separators.
  const needsBrackets = /[\s()<>\p{Cc}]|&[#a-zA-Z0-9]+;/u.test(path);
  if (!needsBrackets) return path;
  return `<${path.replace(/[<>]|&(?=[#a-zA-Z0-9]+;)/g, '\\$&')}>`;
}

/**
 * `![alt](link)`: the alt is trimmed and kept on one line, and the characters that could end
 * the label or open a code span or HTML across it are escaped, so the link stays an image;
 * `&name;` is escaped too so the alt reads back as the prompt.
 */
export function markdownImage(alt: string, link: string): string {
  const label = alt
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[\\[\]`<]|&(?=[#a-zA-Z0-9]+;)/g, '\\$&');
  return `![${label}](${link})`;
}

/** One image per line, in the order given (the order of the task's `results`); no final line ending. */
export function imageLines(alt: string, links: string[], eol: '\n' | '\r\n'): string {
  return links.map((link) => markdownImage(alt, link)).join(eol);
}
