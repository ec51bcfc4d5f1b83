// Whether a path the webview names lies inside the workspace. Pure Node (no vscode) so it is unit
// tested: the webview is untrusted, and a path outside the workspace folders is refused.
import * as path from 'node:path';

/** True when `file` is absolute and, once `.` and `..` are resolved, strictly inside one of `folders`. */
export function insideFolders(file: string, folders: readonly string[], p: typeof path = path): boolean {
  if (!p.isAbsolute(file)) return false;
  const target = p.resolve(file);
  return folders.some((folder) => {
    const rel = p.relative(p.resolve(folder), target);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${p.sep}`) && !p.isAbsolute(rel);
  });
}

/** The extension of a path, lower case, with its dot (`.png`); '' when there is none. */
export function extensionOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}
