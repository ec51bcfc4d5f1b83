// Paths as text, the same on every platform: POSIX inside; Windows paths (drive letters, UNC shares,
// backslashes) are accepted and come back with forward slashes. The destination and link logic works
// on these so it gives the same answer for a remote or Windows workspace as on this machine. (For
// paths of this machine's file system, with symbolic links, see paths.ts.)

/** Splits an absolute or relative path into its root (`/`, `c:/`, `//server/share/`) and segments. */
export function splitPath(p: string): { root: string; segments: string[] } {
  let s = p.replace(/\\/g, '/');
  let root = '';
  const drive = /^([a-zA-Z]):(\/|$)/.exec(s);
  const unc = /^\/\/([^/]+)\/([^/]+)(\/|$)/.exec(s);
  if (drive) {
    // VS Code's fsPath spells drives in lower case; one spelling keeps comparisons honest.
    root = `${drive[1]!.toLowerCase()}:/`;
    s = s.slice(drive[0].length);
  } else if (unc) {
    root = `//${unc[1]}/${unc[2]}/`;
    s = s.slice(unc[0].length);
  } else if (s.startsWith('/')) {
    root = '/';
  }
  return { root, segments: s.split('/').filter((x) => x !== '' && x !== '.') };
}

export function isAbsolute(p: string): boolean {
  return splitPath(p).root !== '';
}

/** Normalises `p` (absolute) resolving `..`; `undefined` if it climbs above its root. */
export function normalizeAbsolute(p: string): string | undefined {
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

/** Joins a path and a relative part with one `/`. */
export function join(a: string, b: string): string {
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

export function dirname(p: string): string {
  const { root, segments } = splitPath(p);
  return root + segments.slice(0, -1).join('/');
}

export function basename(p: string): string {
  const { segments } = splitPath(p);
  return segments[segments.length - 1] ?? '';
}

/** The extension with its dot (`.md`), `''` for none, as `path.extname` reads it. */
export function extname(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

/** The relative POSIX path from `fromDir` to `to`; `undefined` when they have different roots. */
export function relative(fromDir: string, to: string): string | undefined {
  const a = splitPath(fromDir);
  const b = splitPath(to);
  if (a.root !== b.root) return undefined;
  let i = 0;
  while (i < a.segments.length && i < b.segments.length && a.segments[i] === b.segments[i]) i++;
  return [...a.segments.slice(i).map(() => '..'), ...b.segments.slice(i)].join('/');
}

/** `p` is `folder` or lies inside it (both normalised by normalizeAbsolute). */
export function isInside(folder: string, p: string): boolean {
  return p === folder || p.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}
