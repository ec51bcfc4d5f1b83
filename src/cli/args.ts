// The `pictor` command's arguments: a command, its paths and the common flags. Pure (no I/O), so the
// order of flags, environment and defaults is tested on its own.

export const COMMANDS = ['fill', 'list', 'mcp'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command?: Command;
  paths: string[];
  help: boolean;
  version: boolean;
  dryRun: boolean;
  json: boolean;
  yes: boolean;
  quiet: boolean;
  workspace?: string;
  baseUrl?: string;
  filesBaseUrl?: string;
  concurrency?: number;
  confirmAboveImages?: number;
  confirmAboveCost?: number;
  maxCredits?: number;
  /** mcp: seconds a tool call waits for its images before it answers with the job ids. */
  maxWait?: number;
}

export type Parsed = { ok: true; args: CliArgs } | { ok: false; message: string };

const BOOLEAN: Record<string, 'help' | 'version' | 'dryRun' | 'json' | 'yes' | 'quiet'> = {
  '--help': 'help', '-h': 'help', '--version': 'version', '-v': 'version', '--dry-run': 'dryRun', '--json': 'json', '--yes': 'yes', '-y': 'yes', '--quiet': 'quiet', '-q': 'quiet',
};
const TEXT: Record<string, 'workspace' | 'baseUrl' | 'filesBaseUrl'> = { '--workspace': 'workspace', '--base-url': 'baseUrl', '--files-base-url': 'filesBaseUrl' };
const NUMBER: Record<string, 'concurrency' | 'confirmAboveImages' | 'confirmAboveCost' | 'maxCredits' | 'maxWait'> = {
  '--max-wait': 'maxWait', '--concurrency': 'concurrency', '--confirm-above-images': 'confirmAboveImages', '--confirm-above-cost': 'confirmAboveCost', '--max-credits': 'maxCredits',
};

/** Parses argv (without node and the script). `--flag=value` and `--flag value` both work. */
export function parseArgs(argv: readonly string[]): Parsed {
  const args: CliArgs = { paths: [], help: false, version: false, dryRun: false, json: false, yes: false, quiet: false };
  let rest = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (rest || !a.startsWith('-') || a === '-') {
      if (!args.command && !rest) {
        if (!(COMMANDS as readonly string[]).includes(a)) return { ok: false, message: `Unknown command "${a}". Commands: ${COMMANDS.join(', ')}.` };
        args.command = a as Command;
      } else args.paths.push(a);
      continue;
    }
    if (a === '--') {
      rest = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (BOOLEAN[name]) {
      if (eq > 0) return { ok: false, message: `${name} takes no value.` };
      args[BOOLEAN[name]] = true;
      continue;
    }
    if (!TEXT[name] && !NUMBER[name]) return { ok: false, message: `Unknown option ${name}. See pictor --help.` };
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') return { ok: false, message: `${name} needs a value.` };
    if (TEXT[name]) {
      args[TEXT[name]] = value;
      continue;
    }
    const key = NUMBER[name]!;
    const n = Number(value);
    const whole = key === 'concurrency' || key === 'confirmAboveImages';
    if (!Number.isFinite(n) || n < (key === 'concurrency' ? 1 : 0) || (whole && !Number.isInteger(n))) {
      return { ok: false, message: `${name} must be ${key === 'concurrency' ? 'a whole number of 1 or more' : whole ? 'a whole number of 0 or more' : 'a number of 0 or more'}, not "${value}".` };
    }
    args[key] = n;
  }
  if (rest && !args.command) return { ok: false, message: `No command. Commands: ${COMMANDS.join(', ')}.` };
  return { ok: true, args };
}

/** A guard from the environment (`PICTOR_CONFIRM_ABOVE_IMAGES` …): undefined when unset; an error when not a number. */
export function envNumber(env: Record<string, string | undefined>, name: string): { ok: true; value?: number } | { ok: false; message: string } {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return { ok: true };
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) return { ok: false, message: `${name} must be a number of 0 or more, not "${raw}".` };
  return { ok: true, value: n };
}

export const HELP = `Usage: pictor <command> [options] [PATH|GLOB ...]

Fills Markdown image placeholders ![prompt]() with generated images, as Pictor does in VS Code.

Commands:
  fill [PATH|GLOB ...]   fill every placeholder of these pages (a folder: its **/*.md;
                         nothing: the current folder; node_modules and dot-folders are skipped)
  list [PATH|GLOB ...]   the placeholders it would fill: options, pixel size, relative cost,
                         problems (nothing is sent)
  mcp                    serve the tools to agents (Claude Code, Cursor, Codex, VS Code) over
                         MCP on stdio; --max-wait S: answer with the job ids after S seconds
                         (default 50), the jobs go on in the server

Options:
  --dry-run                    plan and print; nothing is sent
  --yes, -y                    answer yes to the cost question
  --json                       one machine-readable report on stdout (human lines on stderr)
  --workspace DIR              the workspace (default: the nearest folder upwards with .vscode/
                               or .git, else the current folder); its .vscode/settings.json
                               gives the pictor.* options and destinations
  --concurrency N              tasks at once (default 4)
  --confirm-above-images N     ask first above N images in one run     (PICTOR_CONFIRM_ABOVE_IMAGES)
  --confirm-above-cost X       ask first above relative cost X          (PICTOR_CONFIRM_ABOVE_COST)
  --max-credits X              send nothing more once X credits are used (PICTOR_MAX_CREDITS)
                               (a workspace's settings may lower these, never raise them)
  --base-url URL               the provider (PICTOR_BASE_URL; default https://api.evolink.ai)
  --files-base-url URL         its files service (PICTOR_FILES_BASE_URL;
                               default https://files-api.evolink.ai)
  --quiet, -q                  only problems and the summary
  --help, -h                   this help
  --version, -v                the version

The API key is read from EVOLINK_API_KEY only (never from a file in the repository).

Exit codes:
  0  everything filled (or nothing to do)
  1  something failed, was refused, or needs --yes
  2  bad usage or an unreadable configuration (no key, a settings file that is not JSON)
`;
