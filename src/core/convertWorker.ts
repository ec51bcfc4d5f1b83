// The worker thread that converts one image (started by convert.ts): it answers one message, the
// converted file or what went wrong, and is then stopped. esbuild bundles it on its own as
// dist/convertWorker.js, beside dist/extension.js, with the encoders' .wasm files in dist/wasm/.
import { parentPort, workerData } from 'node:worker_threads';
import { convertInThread } from './convertCodecs';
import type { ConvertAnswer, ConvertJob } from './convert';

const job = workerData as ConvertJob;
convertInThread(job).then(
  (converted) => parentPort?.postMessage({ converted } satisfies ConvertAnswer, [converted.bytes.buffer as ArrayBuffer]),
  (e: unknown) => parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies ConvertAnswer),
);
