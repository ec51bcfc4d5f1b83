// The agent server's workspace: one folder or several (the client's roots), and every path an agent
// gives resolved inside it, symbolic links followed. A URI, a path outside, or a link that leads out
// is refused before anything is read, uploaded or written.

import { existsSync, realpathSync, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { insideFolders } from '../core/paths';

/** A request the server will not carry out, with what is wrong and what to do: the tool answers with it. */
export class Refusal extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

export function refuse(reason: string, message: string): never {
  throw new Refusal(reason, message);
}

export interface Root {
  /** Its folder name: in a multi-root workspace, a path may start with it. */
  name: string;
  path: string;
}

/**
 * Why a folder cannot be the workspace (undefined: it can): the home folder or the file system's root
 * would let an agent's paths reach every file of the user.
 */
export function unfitRoot(dir: string, home = os.homedir()): string | undefined {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return `${dir} is not a folder`;
  const real = realpathSync(dir);
  if (path.dirname(real) === real) return `${dir} is the root of the file system`;
  const realHome = existsSync(home) ? realpathSync(home) : path.resolve(home);
  if (real === realHome) return `${dir} is your home folder`;
  return undefined;
}

/** A client's root (`file://` URI) as a folder; undefined for any other scheme. */
export function rootFromUri(uri: string, name?: string): Root | undefined {
  if (!uri.startsWith('file://')) return undefined;
  const p = fileURLToPath(uri);
  return { name: name ?? path.basename(p), path: p };
}

export class Workspace {
  readonly roots: readonly Root[];

  constructor(roots: readonly Root[]) {
    if (!roots.length) throw new Error('a workspace needs a folder');
    // Names made unique, so a multi-root path can say which folder it means.
    const seen = new Set<string>();
    this.roots = roots.map((r) => {
      let name = r.name || path.basename(r.path);
      for (let i = 2; seen.has(name); i++) name = `${r.name}-${i}`;
      seen.add(name);
      return { name, path: path.resolve(r.path) };
    });
  }

  /** The root a file lies in (by its text). */
  rootOf(file: string): Root | undefined {
    return this.roots.find((r) => insideFolders(file, [r.path]) || path.resolve(file) === r.path);
  }

  /** A file as answers name it: relative to its root, with `/`, and the root's name first when there are several. */
  relative(file: string): string {
    const root = this.rootOf(file);
    if (!root) return file;
    const rel = path.relative(root.path, file).split(path.sep).join('/');
    return this.roots.length > 1 ? `${root.name}/${rel}` : rel;
  }

  /**
   * A path as an agent writes it: relative to the workspace folder (its name first in a multi-root
   * workspace), or absolute inside it. Never outside it, also not through `..` or a symbolic link,
   * and never a URI. `must`: 'file' (an existing file), or 'any' (it may not exist yet: a folder to save into).
   */
  async resolve(input: unknown, field: string, must: 'file' | 'any' = 'file'): Promise<{ root: Root; file: string }> {
    if (typeof input !== 'string' || !input.trim()) refuse('path', `${field} must be a workspace-relative path such as docs/page.md.`);
    const text = input.trim().replace(/\\/g, '/');
    if (/^[a-z][a-z0-9+.-]+:/i.test(text) && !/^[a-z]:\//i.test(text)) {
      refuse('uri', `${field} "${input}" is a URI: Pictor takes paths inside the workspace folder only (such as docs/page.md), never file:// or other URIs. Nothing was read or sent.`);
    }
    let file: string;
    if (path.isAbsolute(text) || /^[a-z]:\//i.test(text)) file = path.resolve(text);
    else {
      const [first, ...rest] = text.split('/');
      const named = this.roots.length > 1 ? this.roots.find((r) => r.name === first) : undefined;
      if (named) file = path.resolve(named.path, rest.join('/'));
      else {
        const candidates = this.roots.map((r) => path.resolve(r.path, text));
        file = candidates.find((c) => existsSync(c)) ?? candidates[0]!;
      }
    }
    const root = this.rootOf(file);
    const outside = `${field} "${input}" is outside the workspace folder (${this.roots.map((r) => r.path).join(', ')}): Pictor only reads and writes files inside the workspace. Give a path relative to the workspace folder. Nothing was read or sent.`;
    if (!root || file === root.path && must === 'file') refuse('outside', outside);
    // Symbolic links followed: the real file (or its nearest existing folder) must be inside the real root.
    const realRoot = await realpath(root.path).catch(() => root.path);
    let probe = file;
    while (!existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
    const real = await realpath(probe).catch(() => probe);
    if (!(real === realRoot || insideFolders(real, [realRoot]))) {
      refuse('symlink', `${field} "${input}" leads outside the workspace folder through a symbolic link (to ${real}): Pictor only reads and writes files inside the workspace. Nothing was read or sent.`);
    }
    if (must === 'file' && probe !== file) refuse('missing', `${field} "${input}" does not exist in the workspace. Give the path of a Markdown page relative to the workspace folder.`);
    if (must === 'file' && !statSync(file).isFile()) refuse('notFile', `${field} "${input}" is not a file.`);
    return { root, file };
  }

  /** A Markdown page named by `document`. */
  async page(input: unknown, field = 'document'): Promise<{ root: Root; file: string }> {
    const r = await this.resolve(input, field);
    if (!/\.(md|markdown)$/i.test(r.file)) refuse('notMarkdown', `${field} "${String(input)}" is not a Markdown page (.md): Pictor links images into Markdown only.`);
    return r;
  }
}
