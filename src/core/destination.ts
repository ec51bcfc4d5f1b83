// Where a generated image goes: the `pictor.destination` setting read the way VS Code reads
// `markdown.copyFiles.destination` (the same globs, variables and `${name/regex/replacement/}`
// transforms), so a setting that works there works here. Pure: the VS Code glue passes in the
// document path, its workspace folder and the setting, as VS Code's own copyFiles logic is shaped.

import picomatch from 'picomatch';
import { basename, dirname, extname, isAbsolute, isInside, join, normalizeAbsolute, relative } from './portablePaths';
import { english, words, type Words } from '../shared/words';
import { IMAGE_FORMATS, IMAGE_TYPES, typeOfExtension } from '../shared/imageFormats';
import type { Result } from '../shared/result';

/** Used when no glob of `pictor.destination` matches: an `images/` folder beside the document. */
export const DEFAULT_DESTINATION = 'images/';

/** An image extension a pattern may end with, replaced by the real one: every format's, and GIF's. */
const IMAGE_EXTENSIONS = new Set([...IMAGE_TYPES.flatMap((t) => IMAGE_FORMATS[t].extensions), 'gif']);

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
export type DestinationResult = Result<{ dir: string; file: string }, { error: string; words: Words }>;

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
 *   name with extension) and `${fileExtName}`; `\$` is a literal `$`. Each may be transformed:
 *   `${documentBaseName/^(\d+)-(.*)$/$2/}` replaces the first match of the regular expression
 *   (JavaScript syntax, no flags; `\/` is a `/`) with the replacement (`$1`… are its groups).
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
  if (!isInside(workspaceFolder, documentPath) || documentPath === workspaceFolder) {
    return refused(words('dest.documentOutside', documentPath, workspaceFolder));
  }
  const relativeDocument = relative(workspaceFolder, documentPath)!;

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

  const substituted = substitute(raw, vars);
  if (!substituted.ok) return refused(substituted.error(pattern));

  let target = isAbsolute(substituted.path) ? substituted.path : join(documentDir, substituted.path);
  // `images/`, `.`, `..` and the like name a folder: the new file goes inside.
  if (/(^|\/)\.{0,2}$/.test(substituted.path)) target = join(target, vars.fileName!);
  const file = normalizeAbsolute(withExtension(target, ext));
  if (!file || !isInside(workspaceFolder, file) || file === workspaceFolder) {
    return refused(words('dest.outside', pattern, workspaceFolder));
  }
  return { ok: true, dir: dirname(file), file };
}

function withExtension(path: string, ext: string): string {
  const name = basename(path);
  const current = extname(name).slice(1).toLowerCase();
  // Two names of one format (`jpeg`, `jpg`) are the same extension.
  const alias = (e: string) => typeOfExtension(e) ?? e;
  if (alias(current) === alias(ext)) return path;
  if (IMAGE_EXTENSIONS.has(current)) return `${path.slice(0, path.length - current.length)}${ext}`;
  return `${path}.${ext}`;
}

type Substituted = Result<{ path: string }, { error: (pattern: string) => Words }>;

// `\$` (a literal $), `${name}` or `${name/regex/replacement/}` (`\/` inside for a `/`), or any other backslash.
const TOKEN = /\\\$|\$\{([^}]*)\}|\\/g;
const VARIABLE = /^(\w+)(?:\/((?:\\\/|[^/])+)\/((?:\\\/|[^/])*)\/)?$/;

/** Fills the pattern's variables; an unknown variable or a transform that is not a valid regular expression is an error. */
function substitute(raw: string, vars: Record<string, string>): Substituted {
  let problem: ((pattern: string) => Words) | undefined;
  const path = raw.replace(TOKEN, (match, body: string | undefined) => {
    if (match === '\\$') return '$';
    // Any other backslash is a Windows separator.
    if (match === '\\') return '/';
    const m = body === undefined ? null : VARIABLE.exec(body);
    if (!m || !Object.hasOwn(vars, m[1]!)) {
      problem ??= (pattern) => words('dest.unknownVariable', pattern, match);
      return match;
    }
    const value = vars[m[1]!]!;
    if (m[2] === undefined) return value;
    const source = m[2].replace(/\\\//g, '/');
    let regex: RegExp;
    try {
      regex = new RegExp(source);
    } catch (e) {
      problem ??= (pattern) => words('dest.badTransform', pattern, `\${${m[1]}}`, `/${source}/`, (e as Error).message);
      return match;
    }
    return value.replace(regex, m[3]!.replace(/\\\//g, '/'));
  });
  return problem ? { ok: false, error: problem } : { ok: true, path };
}

/**
 * A glob of `pictor.destination` as VS Code reads `markdown.copyFiles.destination` (picomatch, dot
 * files included): a glob starting with `/` is anchored at the workspace folder, any other may match
 * at any depth (`*.md` matches `docs/a.md`). Matched against the workspace-relative POSIX path. Two
 * readings are kept from the usual shell glob where picomatch differs: `[!a]` is a negated class
 * (like `[^a]`), and parentheses not opening an extended glob (`@(`, `!(`, `+(`, `*(`, `?(`) are
 * plain characters, so `notes (old).md` matches the file of that name.
 */
export function globToRegExp(glob: string): RegExp {
  let g = glob.trim();
  if (g.startsWith('/')) g = g.slice(1);
  else if (!g.startsWith('**')) g = `**/${g}`;
  g = literalParens(g.replace(/\[!/g, '[^'));
  // debug: an invalid class such as [z-a] throws instead of quietly matching nothing.
  return picomatch.makeRe(g, { dot: true, windows: false, debug: true });
}

/** Escapes the parentheses that do not open (or close) an extended glob. */
function literalParens(g: string): string {
  let out = '';
  const groups: boolean[] = [];
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '\\') {
      out += c + (g[i + 1] ?? '');
      i++;
    } else if (c === '(') {
      const extglob = i > 0 && '@!+*?'.includes(g[i - 1]!);
      groups.push(extglob);
      out += extglob ? c : '\\(';
    } else if (c === ')') {
      out += groups.pop() ? c : '\\)';
    } else {
      out += c;
    }
  }
  return out;
}
