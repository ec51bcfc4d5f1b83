// The shapes of the agent server's answers (structured content), as zod schemas the tools declare.

import * as z from 'zod';
import { IMAGE_FORMATS, IMAGE_TYPES } from '../shared/imageFormats';


/** What `format` takes: each format's name and its other extensions (`jpg` is `jpeg`). */
export const FORMAT_NAMES = [...new Set(IMAGE_TYPES.flatMap((t) => [t, ...IMAGE_FORMATS[t].extensions]))] as [string, ...string[]];

export const fileSchema = z.object({
  path: z.string().describe('The image file, relative to the workspace folder'),
  width: z.number().int().describe('Its real width in pixels'),
  height: z.number().int().describe('Its real height in pixels'),
  markdown: z.string().describe('A ready Markdown image link, relative to the page (or to the workspace root without a page)'),
  converted: z.string().optional().describe('What the look saved, when Pictor converted the image: e.g. "2.4 MB PNG → 186 KB WebP"'),
});

export const jobSchema = z.object({
  id: z.string().describe('The job id: job_status takes it'),
  state: z.enum(['uploading', 'queued', 'creating', 'running', 'downloading', 'completed', 'failed', 'cancelled', 'timed_out', 'unknown']),
  progress: z.number().describe('0–100'),
  document: z.string().optional().describe('The page it fills, relative to the workspace folder'),
  prompt: z.string(),
  files: z.array(fileSchema).describe('The images saved into the workspace'),
  linked: z.boolean().optional().describe('Whether the page links them (the placeholder was filled)'),
  notes: z.array(z.string()).optional().describe('What the look could not do: an image kept opaque and why, a conversion that failed'),
  error: z.string().optional(),
});

export const refusalSchema = z.object({
  reason: z.string().describe('A short code: outside, symlink, uri, missing, notMarkdown, noPlaceholders, placeholders, allRunning, noKey, aboveLimits, budget, declined, noWorkspace'),
  message: z.string().describe('What is wrong and what to do'),
});

export const skippedSchema = z.object({ line: z.number().int(), prompt: z.string(), reason: z.string(), message: z.string() });

export const listItemSchema = z.object({
  line: z.number().int(), prompt: z.string(),
  status: z.enum(['ready', 'empty', 'running', 'refused']).describe('ready: fill_placeholders sends it; running: being generated (here or by another agent or editor); refused: see message'),
  reason: z.string().optional(), message: z.string().optional(),
  options: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  from: z.record(z.string(), z.string()).optional().describe('Where each option came from: placeholder, page, workspace, default'),
  pixelSize: z.string().optional().describe('WxH, or auto (chosen by the model)'),
  images: z.number().int().optional(), cost: z.number().optional(),
});

export type ListItem = z.infer<typeof listItemSchema>;
export type FileOut = z.infer<typeof fileSchema>;
export type JobOut = z.infer<typeof jobSchema>;
