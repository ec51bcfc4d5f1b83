// Where the extension host keeps what a user (or an attacker reading the disk) could find: the
// user-data folder with Pictor's log file and global storage. The launchers do not pass these paths,
// so they are read off the process tree: the server that forked this extension host was started with
// `--user-data-dir`. PICTOR_USER_DATA_DIR, when set, wins (a harness that knows the folder can say so).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claimsDir, pictorStateDir } from '../../src/core/stateDir';
import { EXTENSION_ID } from './helpers';

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: the fields after it are plain.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

let cachedUserData: string | undefined;

/** The user-data folder of the VS Code that runs this extension host; throws when it cannot be found. */
export function userDataDir(): string {
  if (cachedUserData) return cachedUserData;
  const fromEnv = process.env.PICTOR_USER_DATA_DIR;
  if (fromEnv) return (cachedUserData = fromEnv);
  for (let pid = process.pid, hops = 0; pid > 1 && hops < 8; pid = parentOf(pid), hops++) {
    const args = cmdline(pid);
    for (const [i, a] of args.entries()) {
      if (a === '--user-data-dir' && args[i + 1]) return (cachedUserData = path.resolve(args[i + 1]!));
      if (a.startsWith('--user-data-dir=')) return (cachedUserData = path.resolve(a.slice('--user-data-dir='.length)));
    }
  }
  throw new Error('Cannot find the user-data folder: no --user-data-dir among the parent processes and PICTOR_USER_DATA_DIR is not set');
}

/** The extension's global storage (VS Code's `context.globalStorageUri`): task staging, and the claims of Pictor 0.2. */
export function globalStorageDir(): string {
  return path.join(userDataDir(), 'User', 'globalStorage', EXTENSION_ID);
}

/**
 * Pictor's per-user state folder in this host (src/core/stateDir.ts), where the claims every window
 * and face share live. The launchers point it at a temp folder (PICTOR_STATE_DIR); without that the
 * tests would claim placeholders in the real home's folder, so they stop here instead.
 */
export function stateDir(): string {
  if (!process.env.PICTOR_STATE_DIR) throw new Error('PICTOR_STATE_DIR is not set in the extension host: the launcher must point Pictor\'s state folder at a temp folder');
  return pictorStateDir();
}

/** The claims every window and face share (src/core/claims.ts). */
export function sharedClaimsDir(): string {
  stateDir();
  return claimsDir();
}

/** Every file under `dir` (recursively, hidden ones too); none when it does not exist. */
export function walk(dir: string, skip: (p: string) => boolean = () => false): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (skip(p)) continue;
    if (e.isDirectory()) out.push(...walk(p, skip));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Pictor's LogOutputChannel file of THIS extension host. The host keeps it open, so it is among the
 * process's file descriptors; otherwise the newest `pictor.pictor/Pictor.log` under the logs folder.
 */
export function pictorLogFile(): string {
  try {
    for (const fd of fs.readdirSync('/proc/self/fd')) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        continue;
      }
      if (target.endsWith(path.join(EXTENSION_ID, 'Pictor.log'))) return target;
    }
  } catch { /* no /proc */ }
  const all = allPictorLogs();
  const newest = all.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!newest) throw new Error(`No Pictor log file under ${path.join(userDataDir(), 'logs')}`);
  return newest;
}

/** Every Pictor log file of every session in this user-data folder. */
export function allPictorLogs(): string[] {
  return walk(path.join(userDataDir(), 'logs')).filter((f) => path.basename(path.dirname(f)) === EXTENSION_ID);
}

/** A point in Pictor's log; `logSince` returns what was written after it. */
/** Where the log stood. `file` is unset while Pictor has logged nothing yet (the file is created then). */
export interface LogMark { file?: string; size: number }

export function logMark(): LogMark {
  let file: string | undefined;
  try {
    file = pictorLogFile();
  } catch {
    return { size: 0 };
  }
  return { file, size: fs.existsSync(file) ? fs.statSync(file).size : 0 };
}

export function logSince(mark: LogMark): string {
  let file = mark.file;
  if (!file) {
    try {
      file = pictorLogFile();
    } catch {
      return '';
    }
  }
  const buf = fs.readFileSync(file);
  return buf.subarray(mark.size).toString('utf8');
}

export async function waitForLog(mark: LogMark, re: RegExp, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = logSince(mark);
    if (re.test(text)) return text;
    if (Date.now() > until) throw new Error(`Pictor's log (${mark.file ?? 'not created yet'}) has no line matching ${re} after the mark; it got:\n${text.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
