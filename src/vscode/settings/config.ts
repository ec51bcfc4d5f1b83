// Reads the pictor.* settings, each through one reader that holds it to the manifest's schema.
// The key is never a setting (see secrets.ts).
import * as vscode from 'vscode';
import { coerceSetting, type Coerced, type SettingSchema } from '../../core/settings';
import { say } from '../say';
import type { OthersMode, VariantsMode } from '../../core/variants';
import { stricterGuards, type SpendingGuards } from '../../core/money';
import { lookSetting, type Background, type Format } from '../../core/pageOptions';
import { IMAGE_MODEL, type ImageOptions } from '../../shared/model';

export interface PictorSettings extends ImageOptions {
  baseUrl: string;
  filesBaseUrl: string;
  model: string;
  /** Added to every prompt that is sent (see core/recipe.ts promptWithStyle); '' for none. */
  style: string;
  /** The look (issue 24): opaque or transparent, the file format, the largest width (0: none), the page references. */
  background: Background;
  format: Format;
  maxWidth: number;
  references: string[];
  callbackUrl: string;
  destination: Record<string, string>;
  maxConcurrentTasks: number;
  timeoutMinutes: number;
  confirmAboveImages: number;
  /** With n > 1 on a placeholder: wait for the user's pick, or link every image. */
  variants: VariantsMode;
  /** What happens to the variants not picked. */
  otherVariants: OthersMode;
}

/** The manifest's schema of every pictor.* setting, and where problems are told (set at activation). */
let schemas: Record<string, SettingSchema> = {};
let report: (problem: Coerced) => void = () => undefined;
const told = new Set<string>();

/**
 * Called once at activation with the extension's package.json: settings are then checked against the
 * very schema the Settings editor shows. Problems are logged and shown once per setting and value.
 */
export function initSettings(packageJSON: unknown, log: vscode.LogOutputChannel): void {
  const props = (packageJSON as { contributes?: { configuration?: { properties?: Record<string, SettingSchema> } } })
    ?.contributes?.configuration?.properties ?? {};
  schemas = props;
  report = (r) => {
    log.warn(`Setting: ${r.problem}`);
    const open = vscode.l10n.t('Open Settings');
    void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: the setting {0}', say({ message: r.problem, words: r.problemWords })), open)
      .then((pick) => pick === open && vscode.commands.executeCommand('workbench.action.openSettings', 'pictor'));
  };
}

/** One setting, checked against its schema (a wrong value is told once and replaced, never thrown). */
function setting<T>(c: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const name = `pictor.${key}`;
  const schema = schemas[name] ?? { default: fallback, type: typeof fallback === 'number' ? 'number' : typeof fallback };
  const r = coerceSetting(name, c.get<unknown>(key), { ...schema, default: schema.default ?? fallback });
  if (r.problem) {
    const id = `${name}=${JSON.stringify(c.get<unknown>(key))}`;
    if (!told.has(id)) {
      told.add(id);
      report(r);
    }
  }
  return r.value as T;
}

/** Every pictor.* setting, each checked against the manifest's schema. Never throws on a bad value. */
export function readSettings(scope?: vscode.Uri): PictorSettings {
  const c = vscode.workspace.getConfiguration('pictor', scope);
  return {
    baseUrl: setting(c, 'baseUrl', 'https://api.evolink.ai'),
    filesBaseUrl: setting(c, 'filesBaseUrl', 'https://files-api.evolink.ai'),
    model: setting(c, 'model', IMAGE_MODEL.id),
    size: setting<string>(c, 'size', IMAGE_MODEL.defaults.size),
    resolution: setting<string>(c, 'resolution', IMAGE_MODEL.defaults.resolution),
    quality: setting<string>(c, 'quality', IMAGE_MODEL.defaults.quality),
    n: setting<number>(c, 'n', IMAGE_MODEL.defaults.n),
    style: setting(c, 'style', ''),
    background: lookSetting('background', setting<Background>(c, 'background', 'opaque')),
    format: lookSetting('format', setting<Format>(c, 'format', 'png')),
    maxWidth: lookSetting('maxWidth', setting(c, 'maxWidth', 0)),
    references: lookSetting('references', setting<string[]>(c, 'references', [])),
    callbackUrl: setting(c, 'callbackUrl', ''),
    destination: setting<Record<string, string>>(c, 'destination', {}),
    maxConcurrentTasks: setting(c, 'maxConcurrentTasks', 4),
    timeoutMinutes: setting(c, 'timeoutMinutes', 15),
    confirmAboveImages: readGuards().confirmAboveImages,
    variants: setting<VariantsMode>(c, 'variants', 'pick'),
    otherVariants: setting<OthersMode>(c, 'otherVariants', 'move'),
  };
}

/** The user's own value of a setting (user settings, else the default), held to the schema quietly. */
function userValue<T>(c: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const name = `pictor.${key}`;
  const i = c.inspect<unknown>(key);
  const schema = schemas[name] ?? { default: fallback, type: typeof fallback === 'number' ? 'number' : typeof fallback };
  return coerceSetting(name, i?.globalValue ?? i?.defaultValue, { ...schema, default: schema.default ?? fallback }).value as T;
}

/**
 * The spending guards that hold: the stricter of the user's value and what the workspace's own
 * settings say. A cloned repository's `.vscode/settings.json` may lower a guard, never raise it.
 */
export function readGuards(): SpendingGuards {
  const c = vscode.workspace.getConfiguration('pictor');
  const limit = (v: number | null) => (typeof v === 'number' && v > 0 ? { maxCreditsPerSession: v } : {});
  return stricterGuards(
    {
      confirmAboveImages: setting(c, 'confirmAboveImages', 4),
      confirmAboveCost: setting(c, 'confirmAboveCost', 16),
      ...limit(setting<number | null>(c, 'maxCreditsPerSession', null)),
    },
    {
      confirmAboveImages: userValue(c, 'confirmAboveImages', 4),
      confirmAboveCost: userValue(c, 'confirmAboveCost', 16),
      ...limit(userValue<number | null>(c, 'maxCreditsPerSession', null)),
    },
  );
}

/** Whether Regenerate keeps the image it replaces: kept when the user's value or the workspace's says so. */
export function keepReplacedImages(scope?: vscode.Uri): boolean {
  const c = vscode.workspace.getConfiguration('pictor', scope);
  return setting(c, 'keepReplacedImages', true) || userValue(c, 'keepReplacedImages', true);
}
