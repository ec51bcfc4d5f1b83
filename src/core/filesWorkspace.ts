// The pages of a workspace as plain files, for the faces without an editor (the terminal command, the
// agent server, the headless demo): read a page, and put links into it by a placeholder's identity,
// never at a stale offset. A page may change between the moment it was read and the moment an image
// is ready (the user typed, another tool wrote): the page is read again and the same placeholder is
// found by what it is — its source text, its override comment, and its position among identical
// ones. When that is not certain, nothing is written and the caller is told why.
//
// Writes are atomic (a temporary file beside the page, then a rename) and keep the page's line
// endings; writes to one page from this process go one after another, and with the other faces of
// Pictor (a window, another agent server) one at a time under the page's lock (pageLocks.ts).

import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { KeyedQueue } from './keyedQueue';
import type { PageLocks } from './pageLocks';
import { applyEdits, placeholderEdit, type TextEdit } from './markdownEdits';
import { readOverride } from './pageOptions';
import { scanMarkdown, type Placeholder } from './placeholders';
import type { Result } from '../shared/result';

/** A page as it was read: its text and a stamp that changes whenever the text does. */
export interface PageSnapshot {
  file: string;
  text: string;
  stamp: string;
}

/** What a placeholder is, independent of where it sits: enough to find it again in an edited page. */
export interface PlaceholderIdentity {
  /** The placeholder's source, `![alt]()` as written. */
  source: string;
  /** The override comment right after it on its line, as written ('' for none). */
  override: string;
  /** Its position among the placeholders with the same source and override (0 = the first). */
  index: number;
  /** How many such identical placeholders the page had when it was read. */
  of: number;
}

export type Located = Result<{ placeholder: Placeholder }, { reason: 'gone' | 'ambiguous' }>;

export function stampOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function overrideAfter(text: string, p: Placeholder): string {
  const o = readOverride(text, p.end);
  return o ? text.slice(o.start, o.end) : '';
}

function sameKind(text: string, p: Placeholder, source: string, override: string): boolean {
  return text.slice(p.start, p.end) === source && overrideAfter(text, p) === override;
}

/** The identity of a placeholder of `text`. */
export function identityOf(text: string, p: Placeholder, all: readonly Placeholder[] = scanMarkdown(text).placeholders): PlaceholderIdentity {
  const source = text.slice(p.start, p.end);
  const override = overrideAfter(text, p);
  const twins = all.filter((q) => sameKind(text, q, source, override));
  return { source, override, index: Math.max(0, twins.findIndex((q) => q.start === p.start)), of: twins.length };
}

/**
 * The placeholder of `text` with this identity. One candidate: that one. Several: the one at the same
 * position among them, but only while their number is what it was when the page was read (otherwise
 * a twin was added or removed and "the second one" no longer means the same one): ambiguous.
 */
export function locate(text: string, id: PlaceholderIdentity): Located {
  const twins = scanMarkdown(text).placeholders.filter((q) => sameKind(text, q, id.source, id.override));
  if (twins.length === 0) return { ok: false, reason: 'gone' };
  if (twins.length === 1 && id.of <= 1) return { ok: true, placeholder: twins[0]! };
  if (twins.length !== id.of || id.index >= twins.length) return { ok: false, reason: 'ambiguous' };
  return { ok: true, placeholder: twins[id.index]! };
}

export type FillResult = Result<{ text: string; edit: TextEdit }, { reason: 'gone' | 'ambiguous' | 'changing' | 'unreadable'; message?: string }>;

/** A rewrite: the page's text before and after it, or why nothing was written. */
export type RewriteResult<R extends string> = Result<{ before: string; text: string }, { reason: R | 'changing' | 'unreadable'; message?: string }>;

/** The line ending a page uses (its first line break), for the lines a fill adds. */
export function eolOf(text: string): '\n' | '\r\n' {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Plain-file pages: read them, and link images into them by placeholder identity. */
export class FilesWorkspace {
  private readonly writes = new KeyedQueue();
  /** Identities this process follows, per page: a fill of one twin moves the positions of the others. */
  private readonly followed = new Map<string, Set<PlaceholderIdentity>>();

  /** `locks`: the page locks every face of Pictor takes while it writes a page; without them, only this process's writes are kept apart. */
  constructor(private readonly locks?: PageLocks) {}

  /**
   * Runs `op` while nobody else of Pictor writes the page at `file`: after this process's writes of it
   * queued before, under the page's lock. `held` is false when another face's lock did not come free in
   * time (see PageLocks.hold): only a write that compares before it replaces (rewriteHeld) is safe then.
   */
  exclusive<T>(file: string, op: (held: boolean) => Promise<T>): Promise<T> {
    return this.writes.run(path.resolve(file), () => (this.locks ? this.locks.hold(file, op) : op(true)));
  }

  /**
   * Follows a placeholder of a page read earlier until it is filled (or `forget`): when this process
   * fills one of several identical placeholders, the others' positions among their twins follow.
   */
  follow(file: string, id: PlaceholderIdentity): PlaceholderIdentity {
    const key = path.resolve(file);
    const mine = { ...id };
    let set = this.followed.get(key);
    if (!set) this.followed.set(key, (set = new Set()));
    set.add(mine);
    return mine;
  }

  forget(file: string, id: PlaceholderIdentity): void {
    const key = path.resolve(file);
    const set = this.followed.get(key);
    set?.delete(id);
    if (set && !set.size) this.followed.delete(key);
  }

  /** A twin was filled: it is no longer a placeholder, so those after it move up one. */
  private filled(file: string, id: PlaceholderIdentity): void {
    const key = path.resolve(file);
    const set = this.followed.get(key);
    if (!set) return;
    set.delete(id);
    for (const other of set) {
      if (other.source !== id.source || other.override !== id.override) continue;
      if (other.index > id.index) other.index--;
      other.of = Math.max(0, other.of - 1);
    }
    if (!set.size) this.followed.delete(key);
  }

  async read(file: string): Promise<PageSnapshot> {
    const text = await fs.readFile(file, 'utf8');
    return { file, text, stamp: stampOf(text) };
  }

  /**
   * Fills the placeholder `id` of the page with `links` (one link: into its `()`; several: one image
   * per line, as the editor does). The page is read now: if it changed since it was read, the
   * placeholder is found again by identity; if that is not certain, nothing is written.
   */
  fill(file: string, id: PlaceholderIdentity, alt: string, links: string[]): Promise<FillResult> {
    return this.exclusive(file, async () => {
      let edit: TextEdit | undefined;
      const result = await this.rewriteHeld(file, (text) => {
        const at = locate(text, id);
        if (!at.ok) return { reason: at.reason };
        edit = placeholderEdit(text, at.placeholder, alt, links, eolOf(text));
        return [edit];
      });
      if (!result.ok) return result;
      this.filled(file, id);
      return { ok: true, text: result.text, edit: edit! };
    });
  }

  /**
   * Rewrites the page by edits worked out on its text as it is now: `plan` is given the text just read
   * and answers the edits (or why there are none). Written atomically, compared right before the
   * rename; when another program wrote the page meanwhile, worked out once more on what it wrote (a
   * second race in a row is 'changing'). For a face that finds its place itself (the editor's links).
   */
  rewrite<R extends string>(file: string, plan: (text: string) => TextEdit[] | { reason: R }): Promise<RewriteResult<R>> {
    return this.exclusive(file, () => this.rewriteHeld(file, plan));
  }

  /** rewrite, for a caller inside exclusive() (which must not be entered twice for one page). */
  async rewriteHeld<R extends string>(file: string, plan: (text: string) => TextEdit[] | { reason: R }): Promise<RewriteResult<R>> {
    for (let attempt = 1; ; attempt++) {
      let page: PageSnapshot;
      try {
        page = await this.read(file);
      } catch (e) {
        return { ok: false, reason: 'unreadable', message: (e as Error).message };
      }
      const edits = plan(page.text);
      if (!Array.isArray(edits)) return { ok: false, reason: edits.reason };
      const text = applyEdits(page.text, edits);
      // Another program wrote the page between this read and the write: do it again on what it wrote.
      if (await this.replace(file, page, text) === 'written') return { ok: true, before: page.text, text };
      // The page kept changing while the link was being written: the face says so and offers the link.
      if (attempt >= 2) return { ok: false, reason: 'changing' };
    }
  }

  /**
   * Writes `text` over the page atomically, unless the page no longer is what `before` read (then
   * 'changed', and nothing is written). The file's mode is kept.
   */
  private async replace(file: string, before: PageSnapshot, text: string): Promise<'written' | 'changed'> {
    const stat = await fs.stat(file);
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.pictor-${randomBytes(6).toString('hex')}.tmp`);
    await fs.writeFile(tmp, text, { encoding: 'utf8', mode: stat.mode & 0o777, flag: 'wx' });
    try {
      // The narrowest window we can offer without a lock other editors would honour: compare right before the rename.
      if (stampOf(await fs.readFile(file, 'utf8')) !== before.stamp) {
        await fs.rm(tmp, { force: true });
        return 'changed';
      }
      await fs.rename(tmp, file);
      return 'written';
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }
}
