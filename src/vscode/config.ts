// Reads the pictor.* settings. The key is never a setting (see secrets.ts).
import * as vscode from 'vscode';
import type { GenerationInput } from '../core/types';

export interface PictorSettings {
  baseUrl: string;
  filesBaseUrl: string;
  model: string;
  size: string;
  resolution: string;
  quality: string;
  n: number;
  callbackUrl: string;
  destination: Record<string, string>;
  maxConcurrentTasks: number;
  timeoutMinutes: number;
  confirmAboveImages: number;
  proxy?: string;
}

export function readSettings(scope?: vscode.Uri): PictorSettings {
  const c = vscode.workspace.getConfiguration('pictor', scope);
  const proxy = vscode.workspace.getConfiguration('http').get<string>('proxy')?.trim();
  return {
    baseUrl: c.get<string>('baseUrl', 'https://api.evolink.ai'),
    filesBaseUrl: c.get<string>('filesBaseUrl', 'https://files-api.evolink.ai'),
    model: c.get<string>('model', 'gpt-image-2'),
    size: c.get<string>('size', 'auto'),
    resolution: c.get<string>('resolution', '1K'),
    quality: c.get<string>('quality', 'medium'),
    n: c.get<number>('n', 1),
    callbackUrl: c.get<string>('callbackUrl', ''),
    destination: c.get<Record<string, string>>('destination', {}) ?? {},
    maxConcurrentTasks: c.get<number>('maxConcurrentTasks', 4),
    timeoutMinutes: c.get<number>('timeoutMinutes', 15),
    confirmAboveImages: c.get<number>('confirmAboveImages', 4),
    proxy: proxy || undefined,
  };
}

/** The generation options the settings imply for a prompt. */
export function inputFromSettings(prompt: string, s: PictorSettings): GenerationInput {
  return {
    prompt,
    model: s.model,
    size: s.size,
    resolution: s.resolution,
    quality: s.quality,
    n: s.n,
    callbackUrl: s.callbackUrl || undefined,
  };
}
