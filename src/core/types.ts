// Types shared across the core. No `vscode` import: the core runs in plain Node. The model and its
// limits are described in src/shared/model.ts, the image formats in src/shared/imageFormats.ts (the
// webview uses them too).

import type { ImageType } from '../shared/imageFormats';
import type { ImageOptions } from '../shared/model';

export type { ImageType };

/** What a user chose, before validation (strings straight from settings or the panel). */
export interface GenerationInput extends Partial<ImageOptions> {
  prompt: string;
  model?: string;
  callbackUrl?: string;
  /** Reference images: https URLs, or local files (absolute paths) with their byte size if known. */
  references?: ReferenceInput[];
}

export type ReferenceInput =
  | { kind: 'url'; url: string }
  | { kind: 'file'; path: string; bytes?: number };

/** The body of `POST /v1/images/generations` (docs/provider-api.md, "Create a task"). */
export interface CreateTaskBody extends Partial<ImageOptions> {
  model: string;
  prompt: string;
  image_urls?: string[];
  callback_url?: string;
}

export type TaskStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** The task object the provider returns from create and poll (docs/provider-api.md, "Poll a task"). */
export interface TaskObject {
  id: string;
  created?: number;
  model?: string;
  object?: string;
  progress?: number;
  status: TaskStatus;
  task_info?: { can_cancel?: boolean; estimated_time?: number };
  type?: string;
  usage?: Record<string, unknown>;
  results?: string[];
  error?: { code?: string | number; message?: string; type?: string };
}

/** `data` of a successful upload (docs/provider-api.md, "Uploads (the file service)"). */
export interface UploadedFile {
  file_id: string;
  file_name?: string;
  file_size?: number;
  mime_type?: string;
  file_url: string;
  download_url?: string;
  upload_time?: string;
  expires_at?: string;
}

/** An image that was downloaded, checked and renamed into place. */
export interface DownloadedImage {
  path: string;
  type: ImageType;
  width: number;
  height: number;
  bytes: number;
  /** Set once the file is at its final place (the workspace): recorded, never guessed from the path. */
  placed?: true;
  /** The download as the provider sent it, when the look (core/finish.ts) made another file of it. */
  original?: { type: ImageType; width: number; height: number; bytes: number };
}
