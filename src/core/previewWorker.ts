// The worker thread that decodes one image for a preview (started by previewThread.ts): it answers
// one message, the preview or what went wrong, and is then stopped. esbuild bundles it on its own as
// dist/previewWorker.js, beside dist/extension.js.
import { parentPort, workerData } from 'node:worker_threads';
import { makePreview } from './preview';
import type { PreviewAnswer, PreviewJob } from './previewThread';

const job = workerData as PreviewJob;
let answer: PreviewAnswer;
try {
  answer = { preview: makePreview(job.bytes, job.type, job.maxEdge) };
} catch (e) {
  answer = { error: e instanceof Error ? e.message : String(e) };
}
parentPort?.postMessage(answer);
