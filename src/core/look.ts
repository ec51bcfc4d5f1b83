// The look of a saved image (issue 24): its background (opaque, or made transparent by keying), its
// file format and its largest width. The provider has no such parameters: the planner decides the
// look with the other options, a transparent request's prompt asks for the subject on a flat key
// colour, and finishImage (finish.ts) does the rest after the download, before the file is placed.
import { formatAllowsAlpha } from './convert';
import { chooseKeyColour, KEY_COLOURS, keyInstruction, type KeyName } from './keyColour';
import type { Background, Format, OptionValues } from './pageOptions';
import { IMAGE_TYPES, type ImageType } from '../shared/imageFormats';

export interface Look {
  background: Background;
  format: Format;
  /** Scaled down to at most this many pixels wide; absent: as the provider sent it. */
  maxWidth?: number;
  /** The key colour asked for (transparent only). */
  key?: KeyName;
}

export const PLAIN_LOOK: Readonly<Look> = { background: 'opaque', format: 'png' };

/** The look of a request with these options; `sent` is the prompt as sent (with its style), which the key colour keeps away from. */
export function lookOf(values: Pick<OptionValues, 'background' | 'format' | 'maxWidth'>, sent: string): Look {
  const look: Look = { background: values.background, format: values.format };
  if (values.maxWidth > 0) look.maxWidth = values.maxWidth;
  if (values.background === 'transparent') look.key = chooseKeyColour(sent).name;
  return look;
}

/** Whether the options ask for what cannot be: transparency in a format without it (before anything is paid). */
export function lookRefused(values: Pick<OptionValues, 'background' | 'format'>): boolean {
  return values.background === 'transparent' && !formatAllowsAlpha(values.format);
}

/** Whether the downloaded PNG needs any work (keying, another format, a smaller width). */
export function lookNeedsWork(look: Look | undefined): look is Look {
  return look !== undefined && (look.background === 'transparent' || look.format !== 'png' || look.maxWidth !== undefined);
}

/** The prompt as sent for this look: a transparent one asks for the subject on its flat key colour. */
export function promptForLook(sent: string, look: Look | undefined): string {
  if (look?.background !== 'transparent' || !look.key) return sent;
  return `${sent}\n\n${keyInstruction(look.key)}`;
}

/** A look read back from outside input (a job's stored meta, a recipe): anything malformed is the plain look. */
export function readLook(x: unknown): Look | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const o = x as Record<string, unknown>;
  const background = o.background === 'transparent' ? 'transparent' : 'opaque';
  const format = (IMAGE_TYPES as readonly unknown[]).includes(o.format) ? o.format as ImageType : 'png';
  const look: Look = { background, format };
  if (typeof o.maxWidth === 'number' && Number.isInteger(o.maxWidth) && o.maxWidth > 0) look.maxWidth = o.maxWidth;
  if (background === 'transparent' && typeof o.key === 'string' && o.key in KEY_COLOURS) look.key = o.key as KeyName;
  return look;
}

/** A look as a call's options (Regenerate asks for a recipe's look again; the page's and the settings' do not apply). */
export function lookCall(look: Look): Pick<OptionValues, 'background' | 'format' | 'maxWidth' | 'references'> {
  return { background: look.background, format: look.format, maxWidth: look.maxWidth ?? 0, references: [] };
}
