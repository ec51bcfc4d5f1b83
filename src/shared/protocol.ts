// Every message between the panel's host side and its webview, typed in both directions. Shared by
// both sides (the webview imports the types only). The host checks every message that comes from the
// webview with parseWebviewMessage (messageCheck.ts): it is untrusted input.
//
// Imports only src/shared: the webview bundles this file (and type-checks it with its DOM-only tsconfig).

import type { ImageOptions } from './model';

/** The generation options the panel edits (strings as the user chose them, like the settings). */
export interface PanelOptions extends ImageOptions {
  /** The look (issue 24); left out (an older history entry): the page's options and the settings decide. */
  background?: string;
  format?: string;
  /** Pixels; 0 for no limit. */
  maxWidth?: number;
}

/** A reference image as the webview asks for it; the host checks it again before anything is sent. */
export type ReferenceSpec = { kind: 'file'; path: string } | { kind: 'url'; url: string };

/** A reference image the host accepted, with what the webview shows for it. */
export interface ReferenceView {
  kind: 'file' | 'url';
  /** The absolute path (file) or the URL: what goes back in `generate`. */
  value: string;
  /** Workspace-relative path or the URL, for people. */
  label: string;
  /** asWebviewUri of a workspace file; URLs get an icon (the webview loads nothing remote). */
  thumb?: string;
  bytes?: number;
}

export interface FileView {
  path: string;
  /** Workspace-relative path, for people. */
  label: string;
  thumb: string;
  width?: number;
  height?: number;
  /** The alt text a link to this file gets (the prompt on one line). */
  alt: string;
  /** What the look saved, when the file was converted: "2.4 MB PNG → 186 KB WebP". */
  converted?: string;
}

export type JobStateView =
  | 'uploading' | 'queued' | 'creating' | 'running' | 'downloading'
  | 'completed' | 'failed' | 'cancelled' | 'timed_out' | 'unknown';

export interface JobView {
  id: string;
  taskId?: string;
  /** The prompt, shortened for a row. */
  prompt: string;
  origin: string;
  state: JobStateView;
  progress: number;
  /** Milliseconds since the task was queued, as of when the host sent this. */
  elapsedMs: number;
  /** The clock still runs (the webview adds the time since it received the message). */
  ticking: boolean;
  canCancel: boolean;
  canRetry: boolean;
  /** A Retry of it is in flight (its new task is queued or running): no second Retry is offered. */
  retrying?: boolean;
  /** Retry sends a new create that may be billed a second time: why, said before it is sent. */
  retryAsks?: string;
  /** The images' real pixel size differs from the size asked for. */
  sizeNote?: string;
  /** What the look saved on its converted files ("2.4 MB PNG → 186 KB WebP"), one per file. */
  converted?: string[];
  /** Why it failed, in words. */
  error?: string;
  files: FileView[];
}

export interface HistoryView {
  id: string;
  taskId?: string;
  prompt: string;
  options: PanelOptions;
  /** Milliseconds since the epoch. */
  date: number;
  files: FileView[];
  /** How many reference images it was sent with (Generate Again sends them again). */
  references?: number;
}

/** A placeholder's saved variants, waiting for the user to pick the one it links. */
export interface PickView {
  /** The pick's id (the id of the job that made the images). */
  id: string;
  /** The prompt (alt text), shortened. */
  prompt: string;
  /** The page's workspace-relative path. */
  document: string;
  files: FileView[];
}

/** One task's usage as the provider reported it (never a price Pictor works out). */
export interface UsageView {
  billingRule?: string;
  reserved?: number;
  charged?: number;
}

/** What was spent and what is left: totals of the provider's reports, and the balance from GET /v1/credits. */
export interface SpendView {
  session: { credits: number; tasks: number };
  workspace: { credits: number; tasks: number };
  /** By provider task id, for the queue's rows. */
  usage: Record<string, UsageView>;
  balance?: { account?: number; key?: number; unlimitedKey?: boolean; checkedAt: number };
  /** Why the balance could not be read, in words. */
  balanceError?: string;
  /** pictor.maxCreditsPerSession when set. */
  limit?: number;
}

/**
 * The options that apply to the placeholders of the last active Markdown page (its front matter, then
 * the settings for its folder), in words the host chose.
 */
export interface PageOptionsView {
  /** `This page: 1:1 · 2K · high · 1 image · style "flat vector…"`. */
  summary: string;
  /** Where each value comes from: `page: size, quality · workspace settings: resolution · default: n`. */
  sources: string;
  /** What is wrong with the page's front matter options (nothing is sent while there is an error). */
  problems: string[];
  /** The reference images every placeholder of the page sends (`references:`, `styleFrom: first`), in order. */
  references: PageReferenceView[];
}

/** One of the page's reference images, checked as its upload will be, in words the host chose. */
export interface PageReferenceView {
  /** A workspace file, an address, or the page's first placeholder (`styleFrom: first`: made first). */
  kind: 'file' | 'url' | 'first';
  /** The file's workspace-relative path (as written, when it cannot be resolved), the URL, or the placeholder's prompt. */
  label: string;
  /** Where it comes from: `page`, `workspace settings`, `styleFrom: first`. */
  from: string;
  /** asWebviewUri of a workspace file that passed the checks and reads as an image; nothing else has one. */
  thumb?: string;
  /** `1024×1024 · 312 KB`, or what happens to it. */
  detail?: string;
  /** Why it cannot be sent: shown in its place, never a broken image. */
  problem?: string;
}

/** Where Generate puts the links: the last active Markdown editor, or nowhere (saved only). */
export interface TargetView {
  document?: string;
  /** The options that page's placeholders are generated with. */
  page?: PageOptionsView;
}

export type OptionField = 'size' | 'resolution' | 'quality' | 'n' | 'background' | 'format' | 'maxWidth' | 'prompt' | 'references';

export interface FieldError {
  field: OptionField;
  message: string;
}

export type SubmissionPhase = 'sending' | 'uploading' | 'queued' | 'stopped';

/** Every string the webview shows; the host fills them through vscode.l10n (see strings.ts). */
export type StringKey =
  | 'addFiles' | 'addUrl' | 'cancel' | 'cancelTask' | 'copyPath' | 'copyPathOf' | 'costDetail' | 'costValue' |
  'counter' | 'dropHint' | 'elapsed' | 'errPromptLong' |
  'filesOf' | 'generate' | 'generateAgain' | 'generateAgainFor' | 'heading' | 'history' |
  'historyEmpty' | 'imagesCount' | 'insertLink' | 'insertLinkTo' | 'n' | 'noPrompt' | 'open' | 'openFile' |
  'options' | 'pixelSize' | 'pixelsAuto' | 'progressOf' | 'prompt' | 'promptLabel' | 'promptPlaceholder' |
  'quality' | 'qualityHigh' | 'qualityLow' | 'qualityMedium' | 'queue' | 'queueEmpty' | 'queued' |
  'refCount' | 'refHint' | 'refTooMany' | 'referenceUrl' | 'references' | 'relativeCost' | 'remove' | 'removeEntry' |
  'removeEntryFor' | 'removeReference' | 'resolution' | 'resolutionIgnored' | 'results' | 'resultsEmpty' |
  'retry' | 'retryAgain' | 'retryKeep' | 'retrying' | 'retryTask' | 'reuse' | 'reuseFor' | 'reveal' | 'revealFile' | 'saveUser' | 'saveWorkspace' |
  'sending' | 'size' | 'sizeAuto' | 'sizeCustom' | 'sizeCustomLabel' | 'sizeRatios' | 'stateCancelled' |
  'stateCompleted' | 'stateCreating' | 'stateDownloading' | 'stateFailed' | 'stateQueued' | 'stateRunning' |
  'stateTimedOut' | 'stateUnknown' | 'stateUploading' | 'targetDocument' | 'targetNone' | 'taskId' | 'uploading' |
  'uploadingOne' | 'useSelection' |
  'spend' | 'spendSession' | 'spendWorkspace' | 'spendBalance' | 'spendBalanceKey' | 'spendBalanceNone' | 'spendLimit' |
  'spendRefresh' | 'usageReserved' | 'usageCharged' |
  'picks' | 'picksHint' | 'pickFor' | 'pickList' | 'pickOption' | 'pickThis' | 'pickDismiss' | 'pickDismissFor' |
  'background' | 'backgroundOpaque' | 'backgroundTransparent' | 'format' | 'maxWidth' | 'maxWidthHint' | 'converted' |
  'historyReferences' | 'historyMaxWidth' |
  'pageReferences';
export type PanelStrings = Record<StringKey, string>;

/** Host → webview. */
export type HostMessage =
  /** `words`: the core's message templates the webview words itself (the size check), translated, `{0}`… kept. */
  | { type: 'init'; strings: PanelStrings; words: Record<string, string>; options: PanelOptions; jobs: JobView[]; history: HistoryView[]; target: TargetView; spend?: SpendView; picks?: PickView[] }
  | { type: 'picks'; picks: PickView[] }
  /** Puts keyboard focus on the first variant of this pick (Pick… in a notification or a CodeLens). */
  | { type: 'focusPick'; id: string }
  | { type: 'jobs'; jobs: JobView[] }
  | { type: 'history'; entries: HistoryView[] }
  | { type: 'target'; target: TargetView }
  | { type: 'references'; added: ReferenceView[]; problems: string[] }
  | { type: 'selection'; text: string }
  /**
   * How the webview's Generate (or Generate Again) `requestId` is getting on; `jobIds` are the jobs it
   * made, known once they are stored (phase 'queued'; empty before, and when it stopped).
   */
  | { type: 'submission'; requestId: string; phase: SubmissionPhase; uploads: number; jobIds: string[] }
  | { type: 'invalid'; errors: FieldError[] }
  | { type: 'notice'; level: 'info' | 'error'; message: string }
  | { type: 'spend'; spend: SpendView };

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' }
  /** `requestId`: made by the webview, carried by every `submission` reply about this request. */
  | { type: 'generate'; requestId: string; prompt: string; options: PanelOptions; references: ReferenceSpec[] }
  | { type: 'useSelection' }
  | { type: 'pickReferences' }
  | { type: 'dropReferences'; uris: string[] }
  | { type: 'addReferenceUrl'; url: string }
  | { type: 'cancel'; id: string }
  /** `confirmBilled`: the user was told the first create may have been billed and chose to send it again. */
  | { type: 'retry'; id: string; confirmBilled?: boolean }
  | { type: 'insertLink'; path: string }
  | { type: 'open'; path: string }
  | { type: 'reveal'; path: string }
  | { type: 'copyPath'; path: string }
  | { type: 'saveDefaults'; options: PanelOptions; target: 'workspace' | 'user' }
  | { type: 'generateAgain'; id: string; requestId: string }
  | { type: 'removeHistory'; id: string }
  | { type: 'refreshBalance' }
  /** Links `path`, one of the pick's variants, into its placeholder. */
  | { type: 'pickVariant'; id: string; path: string }
  /** Stops waiting for a pick; every image stays where it is. */
  | { type: 'dismissPick'; id: string };
