// The words the editor adapters, the submitter and their callers (commands, panel, tools) share:
// what one run is made of, what it reports, and the key of a placeholder's cross-window claim.
import type * as vscode from 'vscode';
import { claimKey, placeholderClaimKey as pageClaimKey } from '../../core/claims';
import type { CallOptions } from '../../core/plan';
import type { RunReport } from '../../core/runReport';
import type { ReferenceInput } from '../../core/types';
import type { OptionLayer } from '../../core/pageOptions';
import type { PendingPick, VariantsMode } from '../../core/variants';
import type { JobMeta } from '../state/jobMeta';

/** One prompt to generate, with where its images go. */
export interface RunItem {
  prompt: string;
  meta: JobMeta;
  /** The range (placeholder, image link) or insertion point to follow while the task runs. */
  track?: [number, number];
  /** A range the caller already follows (see PendingReads): run() takes it over instead of `track`. */
  followed?: string;
  references?: ReferenceInput[];
  /** A placeholder's override comment, as read when it was read from the page (see core/pageOptions.ts). */
  override?: OptionLayer;
}

/**
 * Options a caller sets for one run, above everything else (the panel's choices, an agent's input, a
 * recipe). `style` given here ('' for none) replaces the page's and the settings' style. `variants`
 * decides, for a placeholder that gets several images, whether they wait for a pick (pictor.variants
 * when left out).
 */
export type RunOptions = CallOptions & { variants?: VariantsMode };

/** What a caller other than a click adds to a placeholder's request (the language model tools, Generate Variants). */
export interface PlaceholderExtras {
  options?: RunOptions;
  references?: ReferenceInput[];
  /** Hears the ids of the jobs the run made, as soon as they are stored (see Submitter.run). */
  onSubmitted?: (jobIds: string[]) => void;
  /** Hears the report so far once nothing more will be sent (see Submitter.run). */
  onSent?: (sent: Report) => void;
}

/** An error as the editor shows it (see service.ts showJobError). */
export type JobError = { kind: string; message: string; code?: string } | Error;

/** One run's report in the editor (see core/runReport.ts): the commands and the agent tools render it. */
export type Report = RunReport<JobSummary, JobError>;

/** Where the variants that wait for the user's pick are kept (see variants.ts). */
export interface PickSource {
  pendingIn(documentUri: string): PendingPick[];
  readonly onDidChange: vscode.Event<void>;
}

/** What a command reports for each of its jobs. */
export interface JobSummary {
  id: string;
  taskId?: string;
  prompt: string;
  state: string;
  files: string[];
  linked: boolean;
  error?: string;
  /** Its images are saved and wait for the user's pick in the panel (pictor.variants = pick). */
  pick?: boolean;
}

/** How far the work on one placeholder got (for its CodeLens). */
export interface RunningInfo {
  state: string;
  progress: number;
  /** Done: its variants wait for the user's pick. */
  pick?: { id: string; count: number };
}

/**
 * The claim key of a placeholder, as every face of Pictor names it: its page's real path and its text
 * as written (see core/claims.ts). A page that is not a file (an untitled one) is named by its URI.
 */
export function placeholderClaimKey(doc: vscode.TextDocument, source: string): Promise<string> {
  return doc.uri.scheme === 'file' ? pageClaimKey(doc.uri.fsPath, source) : Promise.resolve(claimKey(doc.uri.toString(), source));
}

/** The key Pictor 0.2 gave the same claim, in the profile's global storage (see placeholderClaims.ts). */
export function legacyClaimKey(doc: vscode.TextDocument, source: string): string {
  return `${doc.uri.fsPath}|${source}`;
}
