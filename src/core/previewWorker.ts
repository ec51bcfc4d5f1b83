// The worker thread that decodes one image for a preview (started by previewThread.ts): it answers
// one message, the preview or what went wrong, and is then stopped. esbuild bundles it on its own as
// dist/previewWorker.js, beside dist/extension.js (and dist/cli/previewWorker.js, beside the
// terminal command that serves `pictor mcp`), with the WebP decoder's .wasm in wasm/ beside it.
import { parentPort, workerData } from 'node:worker_threads';
import { previewInThread } from './preview';
import type { PreviewAnswer, PreviewJob } from './previewThread';

previewInThread(workerData as PreviewJob).then(
  (preview): PreviewAnswer => ({ preview }),
  (e: unknown): PreviewAnswer => ({ error: e instanceof Error ? e.message : String(e) }),
).then((answer) => parentPort?.postMessage(answer), () => undefined);
