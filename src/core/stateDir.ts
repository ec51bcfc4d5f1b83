// Where Pictor keeps what every face of it shares on this computer for this user: a VS Code window of
// any profile or build (Insiders, a server), the `pictor` terminal command, the agent server. Today
// that is the placeholder claims (claims.ts), in `<state folder>/claims/`, and the page locks
// (pageLocks.ts), in `<state folder>/locks/`. VS Code's global storage
// will not do: a terminal command cannot know which profile or build's folder to look in.
//
// The state folder is, first found:
//   $PICTOR_STATE_DIR                   (any face; a relative path is taken from the current folder)
//   Linux and other Unixes: $XDG_STATE_HOME/pictor, else ~/.local/state/pictor
//   macOS: ~/Library/Application Support/pictor
//   Windows: %LOCALAPPDATA%\pictor, else <home>\AppData\Local\pictor
// Pictor creates the folders it needs there with mode 0700 (only this user may read them; ignored on
// Windows, where the folder is the user's own already).
import * as os from 'node:os';
import * as path from 'node:path';

/** What the state folder depends on: passed in by tests, the running process's otherwise. */
export interface StateHost {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
  /** The current folder, for a relative $PICTOR_STATE_DIR. */
  cwd: string;
}

function thisHost(): StateHost {
  return { env: process.env, platform: process.platform, home: os.homedir(), cwd: process.cwd() };
}

/** The per-user Pictor state folder (see the comment above). Nothing is created. */
export function pictorStateDir(host: StateHost = thisHost()): string {
  const p = host.platform === 'win32' ? path.win32 : path.posix;
  const set = (name: string) => (host.env[name] ? host.env[name] : undefined);
  const own = set('PICTOR_STATE_DIR');
  if (own) return p.resolve(host.cwd, own);
  if (host.platform === 'win32') {
    const local = set('LOCALAPPDATA');
    return p.join(local && p.isAbsolute(local) ? local : p.join(host.home, 'AppData', 'Local'), 'pictor');
  }
  if (host.platform === 'darwin') return p.join(host.home, 'Library', 'Application Support', 'pictor');
  // The XDG Base Directory spec: a relative $XDG_STATE_HOME is invalid and ignored.
  const xdg = set('XDG_STATE_HOME');
  return p.join(xdg && p.isAbsolute(xdg) ? xdg : p.join(host.home, '.local', 'state'), 'pictor');
}

/** `name` in the state folder, by the path rules of the platform the folder is for. */
function inStateDir(name: string, host?: StateHost): string {
  const dir = pictorStateDir(host);
  return (host?.platform ?? process.platform) === 'win32' ? path.win32.join(dir, name) : path.posix.join(dir, name);
}

/** The file of the uploaded reference URLs every face reuses (uploadCache.ts). */
export function uploadsFile(host?: StateHost): string {
  return inStateDir('uploads.json', host);
}

/** The folder of the placeholder claims every face shares (see claims.ts). */
export function claimsDir(host?: StateHost): string {
  return inStateDir('claims', host);
}

/** The folder of the opaque originals of images made transparent, which every face sends as references (originals.ts). */
export function originalsDir(host?: StateHost): string {
  return inStateDir('originals', host);
}

/** The folder of the page locks every face takes while it writes a page (pageLocks.ts). */
export function pageLocksDir(host?: StateHost): string {
  return inStateDir('locks', host);
}
