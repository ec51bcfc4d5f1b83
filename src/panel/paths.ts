// Path helpers for the panel. Pure Node (no vscode) so they are unit tested; the containment check
// itself is the core's (one copy: src/core/paths.ts).
export { insideFolders } from '../core/paths';

/** The extension of a path, lower case, with its dot (`.png`); '' when there is none. */
export function extensionOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}
