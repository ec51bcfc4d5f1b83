// Types shared across the core. No `vscode` import: the core runs in plain Node.

export const RATIOS = [
  '1:1', '1:2', '2:1', '1:3', '3:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '9:21', '21:9',
] as const;
export type Ratio = (typeof RATIOS)[number];
export const RESOLUTIONS = ['1K', '2K', '4K'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const QUALITIES = ['low', 'medium', 'high'] as const;
export type Quality = (typeof QUALITIES)[number];

export const MODEL = 'gpt-image-2';
export const MAX_PROMPT_CODE_POINTS = 32000;
export const MIN_N = 1;
export const MAX_N = 10;
export const MAX_REFERENCE_IMAGES = 16;
export const MAX_REFERENCE_BYTES = 50 * 1024 * 1024;
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** What a user chose, before validation (strings straight from settings or the panel). */
export interface GenerationInput {
  prompt: string;
  size?: string;
  resolution?: string;
  quality?: string;
  n?: number;
  model?: string;
  callbackUrl?: string;
  /** Reference images: https URLs, or local files (absolute paths) with their byte size if known. */
  references?: ReferenceInput[];
}

export type ReferenceInput =
  | { kind: 'url'; url: string }
  | { kind: 'file'; path: string; bytes?: number };

/** The body of `POST /v1/images/generations` (api.md §1). */
export interface CreateTaskBody {
  model: string;
  prompt: string;
  size?: string;
  resolution?: string;
  quality?: string;
  n?: number;
  image_urls?: string[];
  callback_url?: string;
}

export type TaskStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** The task object the provider returns from create and poll (api.md §1–2). */
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

/** `data` of a successful upload (api.md §6). */
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

export type ImageType = 'png' | 'jpeg' | 'webp';

/** An image that was downloaded, checked and renamed into place. */
export interface DownloadedImage {
  path: string;
  type: ImageType;
  width: number;
  height: number;
  bytes: number;
  /** Set once the file is at its final place (the workspace): recorded, never guessed from the path. */
  placed?: true;
}

export interface PixelSize {
  width: number;
  height: number;
}
