// What a job must remember (in the workspace Memento, across reloads) to put its images in place.
import type { ReferenceInput } from '../../core/types';
import type { Look } from '../../core/look';

/** What the image's recipe needs beyond the request body (see core/recipe.ts). */
export interface RecipeHints {
  /** The prompt as written, when a style was added to the one sent. */
  prompt?: string;
  style?: string;
  /** The references as given (local files by absolute path), not the uploaded URLs that expire. */
  references?: ReferenceInput[];
  /** What the image is made into after the download (issue 24: background, format, width); absent: as sent. */
  look?: Look;
}

/** One placeholder's claim, as a job remembers it (see placeholderClaims.ts). */
export interface ClaimRef {
  /** The key in the shared folder (core/claims.ts placeholderClaimKey); in a job of Pictor 0.2, its key there. */
  key: string;
  owner: string;
  /** The key in 0.2's folder; absent in a job of 0.2, whose `key` is that very key. */
  legacyKey?: string;
}

export type JobMeta = (
  | {
      origin: 'placeholder';
      documentUri: string;
      /** The prompt as alt text (trimmed). */
      alt: string;
      /** The placeholder's source when submitted, e.g. `![a fox]()`: re-found by text after a reload. */
      source: string;
      /** The claim this job holds on its placeholder, seen by every window and face (see placeholderClaims.ts). */
      claim?: ClaimRef;
      /** Several images wait for the user's pick (pictor.variants = pick, or Generate Variants) instead of all being linked. */
      pick?: boolean;
    }
  | {
      origin: 'selection';
      documentUri: string;
      alt: string;
      /** Markdown documents get the links inserted on a new line after the selection. */
      insertLinks: boolean;
      /** The text of the line the links go after: re-found by text when the position was lost (reload, retry). */
      anchor?: string;
    }
  | {
      /** A language model tool (an agent): saved, never linked by Pictor; the tool's answer gives the link. */
      origin: 'tool';
      /** The Markdown page the image is for (where it is saved and what its link is relative to), if any. */
      documentUri?: string;
      alt: string;
      /** One tool call, so the call can cancel exactly its own jobs. */
      call: string;
    }
  | {
      origin: 'edit';
      documentUri: string;
      alt: string;
      /** The image link's source and destination when submitted, to re-point it. */
      source: string;
      oldUrl: string;
    }
  | {
      origin: 'panel';
      /** The Markdown document to insert into, when there was one. */
      documentUri?: string;
      alt: string;
      /** The text of the line the links go after (see the selection's anchor). */
      anchor?: string;
    }
) & { recipe?: RecipeHints };

/**
 * The one check of a job's meta: where it is read back from the workspace state (mementoStore.ts),
 * which could hold anything. Everywhere else the queue's type (`JobQueue<JobMeta>`) says what it is.
 */
export function isJobMeta(v: unknown): v is JobMeta {
  if (!v || typeof v !== 'object') return false;
  const o = (v as { origin?: unknown }).origin;
  return o === 'placeholder' || o === 'selection' || o === 'edit' || o === 'panel' || o === 'tool';
}
