// A workspace's `pictor.*` settings as the faces without VS Code read them: from the workspace's own
// `.vscode/settings.json` (JSON with comments and trailing commas, as VS Code writes and reads it), so
// the editor and the pipeline agree. Each value is held to the manifest's schema, as in the editor.
// The provider's addresses are never taken from here: a cloned repository must not be able to send
// your key elsewhere (the face takes them from its own flags or environment).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { coerceSetting, type SettingSchema } from './settings';
import type { OptionLayer, OptionValues } from './pageOptions';
import { DEFAULT_OPTIONS, lookSetting, OPTION_KEYS } from './pageOptions';
import type { PlanSettings } from './plan';
import type { SpendingGuards } from './money';
import { words, type Words } from '../shared/words';
import { IMAGE_MODEL } from '../shared/model';

export interface WorkspaceSettings {
  /** What the planner needs: the workspace's layer and the values (the defaults where none is set). */
  plan: PlanSettings;
  /** `pictor.destination`. */
  destination: Record<string, string>;
  /** The spending guards this workspace sets (the face takes the stricter of these and its own). */
  guards: Partial<SpendingGuards>;
  /** Values replaced by the schema's nearest or default; or why the file could not be read. */
  problems: Words[];
}

/**
 * Reads `<root>/.vscode/settings.json`. No file: the defaults. A file that is not valid JSON with
 * comments: the defaults, and the problem says where.
 */
export async function readWorkspaceSettings(root: string, schemas: Record<string, SettingSchema>): Promise<WorkspaceSettings> {
  const file = path.join(root, '.vscode', 'settings.json');
  const problems: Words[] = [];
  let raw: Record<string, unknown> = {};
  try {
    const text = await fs.readFile(file, 'utf8');
    const errors: ParseError[] = [];
    const v = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
    if (errors.length) problems.push(words('setting.fileUnreadable', file, printParseErrorCode(errors[0]!.error), String(errors[0]!.offset)));
    else if (v && typeof v === 'object' && !Array.isArray(v)) raw = v as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(words('setting.fileUnreadable', file, (e as Error).message, '0'));
  }
  const value = <T>(key: string, fallback: T): T | undefined => {
    const name = `pictor.${key}`;
    if (!(name in raw)) return undefined;
    const schema = schemas[name] ?? { default: fallback, type: typeof fallback };
    const r = coerceSetting(name, raw[name], { ...schema, default: schema.default ?? fallback });
    if (r.problemWords) problems.push(r.problemWords);
    return r.value as T;
  };
  const set: Partial<OptionValues> = {};
  for (const key of OPTION_KEYS) {
    // `styleFrom` is a page's option only.
    if (key === 'styleFrom') continue;
    let v = value<unknown>(key, DEFAULT_OPTIONS[key]);
    if (v !== undefined && (key === 'background' || key === 'format' || key === 'maxWidth' || key === 'references')) v = lookSetting(key, v);
    if (v !== undefined) (set as Record<string, unknown>)[key] = v;
  }
  const layer: OptionLayer = { from: 'workspace', values: set };
  const guards: Partial<SpendingGuards> = {};
  const images = value<number>('confirmAboveImages', 4);
  if (images !== undefined) guards.confirmAboveImages = images;
  const cost = value<number>('confirmAboveCost', 16);
  if (cost !== undefined) guards.confirmAboveCost = cost;
  const limit = value<number | null>('maxCreditsPerSession', null);
  if (typeof limit === 'number' && limit > 0) guards.maxCreditsPerSession = limit;
  const model = value<string>('model', IMAGE_MODEL.id);
  const callbackUrl = value<string>('callbackUrl', '');
  return {
    plan: {
      layers: [layer],
      values: { ...DEFAULT_OPTIONS, ...set },
      ...(model ? { model } : {}),
      ...(callbackUrl ? { callbackUrl } : {}),
      root,
    },
    destination: value<Record<string, string>>('destination', {}) ?? {},
    guards,
    problems,
  };
}
