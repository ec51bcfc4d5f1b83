// What one run did, for every face to render its own way (issue 20): the jobs it made, each placeholder
// or prompt it left out with a reason code and its words, why it sent nothing at all (a refusal), what
// went wrong while sending, and the figures of what it sent. The run itself tells nobody: the command
// face turns the report into notifications, the agent tools into their answer's text.
import type { Figures, SkipReason } from './plan';

/**
 * Why one item of a run was not sent: the plan's reasons (see SkipReason), and what the run found:
 * - `elsewhere`: another window (or process) holds its claim;
 * - `claimFailed`: its claim could not be recorded, so it was not sent (it could be billed twice);
 * - `changed`: the page changed while it was being claimed;
 * - `pick`: its variants are saved and wait for the user's pick.
 */
export type NotSentReason = SkipReason | 'elsewhere' | 'claimFailed' | 'changed' | 'pick';

export interface NotSent {
  reason: NotSentReason;
  /** The reason, in the user's language. */
  words: string;
  /** The prompt as written. */
  prompt: string;
  /** The item's place in what the run was given. */
  index?: number;
  /** A placeholder's line in its page (1-based). */
  line?: number;
  /** `pick`: the pick that waits. */
  pickId?: string;
}

/**
 * Why a run sent nothing at all:
 * - `trust`: the workspace is in Restricted Mode;
 * - `key`: no API key (and none was given when asked);
 * - `cost`: the user declined the cost question;
 * - `budget`: the user declined to go over the session's budget;
 * - `noTarget`: nothing to run on (no placeholder, no image link, no page);
 * - `changed`: what was read changed while the user was asked something;
 * - `input`: the call's own input is wrong (a variant count, a missing reference);
 * - `plan`: the plan left an item out, so none was sent (the first in `notSent`);
 * - `problems`: of several placeholders, every one has a problem (each in `notSent`, with its line);
 * - `empty`, `running`, `pick`: no placeholder has a prompt / every one is being generated / waits for a pick;
 * - `elsewhere`, `claimFailed`: another window holds them / their claims could not be recorded (or
 *   the page changed while they were claimed: `changed`).
 */
export type RefusalCode = 'trust' | 'key' | 'cost' | 'budget' | 'noTarget' | 'changed' | 'input'
  | 'plan' | 'problems' | 'empty' | 'running' | 'pick' | 'elsewhere' | 'claimFailed';

export interface RunRefusal {
  code: RefusalCode;
  /** What happened and what to do, in the user's language ('' when the editor has said it already). */
  words: string;
  /** How grave, for a face that shows it as a notice (the words are then the whole sentence). */
  severity?: 'info' | 'warning' | 'error';
}

/** One run's report. `J` is how a face's jobs are summed up, `E` an error as the face shows it. */
export interface RunReport<J, E> {
  /** The jobs it made, final when the run returns. */
  jobs: J[];
  /** The items left out, each with its reason. */
  notSent: NotSent[];
  /** Set when nothing was sent. */
  refusal?: RunRefusal;
  /** How many items passed the checks and went on to be sent (before claims and questions). */
  sending: number;
  /** Each request refused at sending (the provider, the file gates). */
  errors: E[];
  /** The first job that failed, once every job is final. */
  failed?: E;
  /** What the requests sent bill and look like. */
  figures: Figures[];
}

export function refusedReport<J, E>(code: RefusalCode, words: string, more: { notSent?: NotSent[]; severity?: RunRefusal['severity'] } = {}): RunReport<J, E> {
  return { jobs: [], notSent: more.notSent ?? [], refusal: { code, words, ...(more.severity ? { severity: more.severity } : {}) }, sending: 0, errors: [], figures: [] };
}
