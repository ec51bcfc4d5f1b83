// The `pictor` command's arguments: a command, its paths and the common flags. Pure (no I/O), so the
// order of flags, environment and defaults is tested on its own.
import { imageTypeNamed, IMAGE_TYPES, type ImageType } from '../shared/imageFormats';
import { MAX_EDGE } from '../shared/sizes';
import type { ImageOptions } from '../shared/model';
import type { Result } from '../shared/result';

export const COMMANDS = ['fill', 'generate', 'list', 'status', 'resume', 'recipe', 'mcp'] as const;
export type Command = (typeof COMMANDS)[number];

/** The size, resolution, quality and n are the call's options: `generate`'s explicit values, `fill`'s defaults under the pages' own. */
export interface CliArgs extends Partial<ImageOptions> {
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
  /** The look (issue 24): `--background`, `--format`, `--max-width` (0: none). */
  background?: 'opaque' | 'transparent';
  format?: ImageType;
  maxWidth?: number;
  /** `generate`: reference images (workspace files or https URLs), in the order given. */
  references: string[];
  /** `generate`: the folder the images are saved in. */
  out?: string;
  /** How progress is shown: redrawn in place on a terminal, or plain lines (default: by the terminal and CI). */
  progress?: 'tty' | 'plain';
  /** mcp: seconds a tool call waits for its images before it answers with the job ids. */
  maxWait?: number;
}

export type Parsed = Result<{ args: CliArgs }, { message: string }>;

const BOOLEAN: Record<string, 'help' | 'version' | 'dryRun' | 'json' | 'yes' | 'quiet'> = {
  '--help': 'help', '-h': 'help', '--version': 'version', '-v': 'version', '--dry-run': 'dryRun', '--json': 'json', '--yes': 'yes', '-y': 'yes', '--quiet': 'quiet', '-q': 'quiet',
};
const TEXT: Record<string, 'workspace' | 'baseUrl' | 'filesBaseUrl' | 'size' | 'resolution' | 'quality' | 'out' | 'reference' | 'progress' | 'background' | 'format'> = {
  '--workspace': 'workspace', '--base-url': 'baseUrl', '--files-base-url': 'filesBaseUrl', '--background': 'background', '--format': 'format',
  '--size': 'size', '--resolution': 'resolution', '--quality': 'quality', '--out': 'out', '--reference': 'reference', '--progress': 'progress',
};
const NUMBER: Record<string, 'concurrency' | 'confirmAboveImages' | 'confirmAboveCost' | 'maxCredits' | 'n' | 'maxWait' | 'maxWidth'> = {
  '--max-wait': 'maxWait', '--max-width': 'maxWidth',
  '--concurrency': 'concurrency', '--confirm-above-images': 'confirmAboveImages', '--confirm-above-cost': 'confirmAboveCost', '--max-credits': 'maxCredits',
  '-n': 'n', '--n': 'n',
};

/** Parses argv (without node and the script). `--flag=value` and `--flag value` both work. */
export function parseArgs(argv: readonly string[]): Parsed {
  const args: CliArgs = { paths: [], references: [], help: false, version: false, dryRun: false, json: false, yes: false, quiet: false };
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
    const text = TEXT[name];
    if (text === 'reference') args.references.push(value);
    else if (text === 'progress') {
      if (value !== 'tty' && value !== 'plain') return { ok: false, message: `--progress must be tty or plain, not "${value}".` };
      args.progress = value;
    } else if (text === 'background') {
      if (value !== 'opaque' && value !== 'transparent') return { ok: false, message: `--background must be opaque or transparent, not "${value}".` };
      args.background = value;
    } else if (text === 'format') {
      const f = imageTypeNamed(value);
      if (!f) return { ok: false, message: `--format must be ${IMAGE_TYPES.slice(0, -1).join(', ')} or ${IMAGE_TYPES.at(-1)}, not "${value}".` };
      args.format = f;
    } else if (text) args[text] = value;
    if (text) continue;
    const key = NUMBER[name]!;
    const n = Number(value);
    const least = key === 'concurrency' || key === 'n' ? 1 : 0;
    const whole = key === 'concurrency' || key === 'confirmAboveImages' || key === 'n' || key === 'maxWidth';
    if (!Number.isFinite(n) || n < least || (whole && !Number.isInteger(n))) {
      return { ok: false, message: `${name} must be ${whole ? `a whole number of ${least} or more` : 'a number of 0 or more'}, not "${value}".` };
    }
    if (key === 'maxWidth' && n > MAX_EDGE) return { ok: false, message: `--max-width must be at most ${MAX_EDGE} pixels (0: no limit), not "${value}".` };
    args[key] = n;
  }
  if (rest && !args.command) return { ok: false, message: `No command. Commands: ${COMMANDS.join(', ')}.` };
  if (args.command === 'generate' && args.paths.length !== 1) return { ok: false, message: 'generate takes one prompt, in quotes: pictor generate "a red fox asleep in the snow".' };
  if (args.command === 'recipe' && args.paths.length !== 1) return { ok: false, message: 'recipe takes one image file: pictor recipe images/fox.png.' };
  if ((args.command === 'status' || args.command === 'resume') && args.paths.length) return { ok: false, message: `${args.command} takes no paths.` };
  if (args.command !== 'generate' && (args.references.length || args.out !== undefined)) return { ok: false, message: '--reference and --out are options of generate.' };
  return { ok: true, args };
}

export const HELP = `Usage: pictor <command> [options] [PATH|GLOB ...]

Fills Markdown image placeholders ![prompt]() with generated images, as Pictor does in VS Code.

Commands:
  fill [PATH|GLOB ...]   fill every placeholder of these pages (a folder: its **/*.md;
                         nothing: the current folder; node_modules, dot-folders and what
                         .gitignore ignores are skipped)
  generate "PROMPT"      generate images for one prompt and save them (default: images/ under
                         the current folder); prints each path, its pixel size and the Markdown link
  list [PATH|GLOB ...]   the placeholders it would fill: options (and where each came from),
                         pixel size, relative cost, problems (nothing is sent)
  status                 the tasks stored for this workspace: state, prompt, page, age
  resume                 wait for the stored tasks and place their images (no new task)
  recipe FILE            the recipe stored in an image (or its .pictor.json beside it)
  mcp                    serve the tools to agents (Claude Code, Cursor, Codex, VS Code) over
                         MCP on stdio; --max-wait S: answer with the job ids after S seconds
                         (default 50), the jobs go on in the server

Options of the request (generate: above everything; fill: below each page's front matter and
override comments, above the workspace's settings):
  --size S                     auto, a ratio such as 16:9, or WxH such as 1536x1024
  --resolution R               1K, 2K or 4K
  --quality Q                  low, medium or high
  -n N                         images per prompt (1 to 10)
  --background opaque|transparent
                               transparent: the subject on a flat key colour, made transparent
                               (kept opaque, and told why, when the backdrop is not flat)
  --format png|webp|jpeg       the saved file's format (webp, jpeg: much lighter files)
  --max-width PIXELS           scale saved images down to at most this width (0: as sent)
  --reference FILE|URL         generate: a reference image, a workspace file or an https URL
                               (repeat for several)
  --out DIR                    generate: the folder to save in, inside the workspace

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
  --progress tty|plain         a progress line redrawn in place, or plain lines (default: tty
                               on a terminal when CI is not set)
  --help, -h                   this help
  --version, -v                the version

The API key is read from EVOLINK_API_KEY only (never from a file in the repository).

Exit codes:
  0  everything filled (or nothing to do)
  1  something failed, was refused, or needs --yes (or the cost question was answered no)
  2  bad usage or an unreadable configuration (no key, a settings file that is not JSON)
  130  interrupted (Ctrl-C, SIGTERM): the tasks sent are kept; pictor resume places them
`;
