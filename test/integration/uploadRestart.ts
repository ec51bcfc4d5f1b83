// Shared by upload.with-restart.phase1/phase2 (issue 11 item 4): a reload while a job uploads its
// reference images. Not a spec file: importing a spec would run its suite again.
import * as path from 'node:path';
import { fakeRequests, workspaceRoot } from './helpers';

export const UPLOAD_RESTART_PROMPT = 'a lighthouse drawn from two references across a restart';
/** The second reference: its first upload is held at the fake until the phase-1 host is gone. */
export const SLOW_NAME = 'upload-restart-b';

export function uploadRestartFiles(): { dir: string; a: string; b: string } {
  const dir = path.join(workspaceRoot().fsPath, 'editor', 'upload-restart');
  return { dir, a: path.join(dir, 'upload-restart-a.png'), b: path.join(dir, `${SLOW_NAME}.png`) };
}

/** Upload requests the fake received (each counted as it arrived, answered or not) for a file name. */
export async function uploadsOf(fileName: string): Promise<number> {
  const all = (await fakeRequests()) as unknown as { path: string; body?: { fileName?: string } }[];
  return all.filter((r) => r.path.startsWith('/api/v1/files/upload') && r.body?.fileName === fileName).length;
}
