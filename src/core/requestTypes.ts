// What validating a request gives: the create body and what it implies, or every problem found.
import type { PixelSize } from '../shared/limits';
import type { CreateTaskBody, ReferenceInput } from './types';

import type { ValidationError } from '../shared/requestFields';

export { problem, type ValidationError, type ValidationField } from '../shared/requestFields';

export interface ValidRequest {
  ok: true;
  body: CreateTaskBody;
  /** Undefined when the model picks the size (`auto`). */
  expectedSize?: PixelSize;
  /** Estimate relative to one medium 1024×1024 image (see sizes.relativeCost). */
  relativeCost: number;
  /** Images asked for (= n); the provider may deliver fewer. */
  imageCount: number;
  /** Local files to upload first (unique, in first-seen order); then call withUploadedReferences. */
  localReferences: string[];
  /** The references as validated (URLs trimmed), in the user's order. */
  references: ReferenceInput[];
}

export interface InvalidRequest {
  ok: false;
  errors: ValidationError[];
}

export interface ValidateOptions {
  /**
   * Lets a callback point at a loopback host over http(s). Only for tests against the fake
   * provider; the real provider refuses such hosts, so the extension never sets it.
   */
  allowLoopbackCallback?: boolean;
}
