// What a job of a face without an editor carries to its finalize: a placeholder's (its page and
// identity) or a prompt's of its own (a folder, no page), and the checks that tell them apart.

import { type PlaceholderIdentity } from './filesWorkspace';
import { type Look } from './look';
import type { ReferenceInput } from './types';

/** What a job of a headless run carries to its finalize: the page and the placeholder it fills. */
export interface HeadlessMeta {
  headless: 1;
  page: string;
  identity: PlaceholderIdentity;
  alt: string;
  prompt: string;
  style: string;
  /** The placeholder's claim (core/claims.ts), so a run that resumes this job holds it again. */
  claim?: { key: string; owner: string };
  /** The references it sent (its own, the page's, `styleFrom: first`'s), for the recipe (Regenerate sends them again). */
  references?: ReferenceInput[];
  /** What the image is made into after the download (issue 24); absent: as the provider sent it. */
  look?: Look;
}

export function isHeadlessMeta(x: unknown): x is HeadlessMeta {
  const m = x as HeadlessMeta | null;
  return typeof m === 'object' && m !== null && m.headless === 1 && typeof m.page === 'string' && typeof m.alt === 'string';
}

/** What a job of a prompt of its own (`pictor generate`, an agent's generate) carries: a folder, no page. */
export interface GenerateMeta {
  headless: 1;
  kind: 'generate';
  /** The folder (absolute, inside the workspace) its images are saved in. */
  out: string;
  prompt: string;
  style: string;
  /** The references as given (local files by absolute path), for the recipe. */
  references?: ReferenceInput[];
  /** The process that sent it: another run leaves its job alone while that process lives. */
  runner?: { pid: number; host: string };
  look?: Look;
}

export function isGenerateMeta(x: unknown): x is GenerateMeta {
  const m = x as GenerateMeta | null;
  return typeof m === 'object' && m !== null && m.headless === 1 && m.kind === 'generate' && typeof m.out === 'string' && typeof m.prompt === 'string';
}

/** A job of a face without an editor: a placeholder's or a prompt's of its own. */
export function isHeadlessJob(x: unknown): x is HeadlessMeta | GenerateMeta {
  return isHeadlessMeta(x) || isGenerateMeta(x);
}
