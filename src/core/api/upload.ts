// What an upload of a reference image sends (api.md §6): the file checked first (a regular file of
// at most 50 MB whose bytes are PNG, JPEG or WebP), then streamed from disk as multipart/form-data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { MAX_REFERENCE_BYTES } from '../../shared/limits';
import { PictorError } from './errors';
import { sniffImageType } from './imageInfo';
import { words } from '../../shared/words';

export const MIME: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

export async function inspectUpload(filePath: string): Promise<{ size: number; type: keyof typeof MIME }> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(filePath, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new PictorError('invalid', words('upload.cannotRead', path.basename(filePath), code));
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new PictorError('invalid', words('upload.notFile', path.basename(filePath)));
    if (st.size > MAX_REFERENCE_BYTES) {
      throw new PictorError('invalid', words('upload.tooBig', path.basename(filePath)));
    }
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const type = sniffImageType(head.subarray(0, bytesRead));
    if (!type) {
      throw new PictorError('invalid', words('upload.notImage', path.basename(filePath)));
    }
    return { size: st.size, type };
  } finally {
    await fh.close();
  }
}

/** A multipart/form-data body whose file part streams from disk; the length is known up front. */
export interface MultipartBody {
  stream: Readable;
  length: number;
  contentType: string;
}

export function multipart(filePath: string, fileName: string, mime: string, size: number): MultipartBody {
  const boundary = `----pictor${randomBytes(12).toString('hex')}`;
  const safeName = fileName.replace(/["\r\n\\]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file_name"\r\n\r\n${safeName}\r\n` +
      `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="${safeName}"\r\n` +
      `Content-Type: ${mime}\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  async function* parts(): AsyncGenerator<Buffer> {
    yield head;
    for await (const chunk of fs.createReadStream(filePath)) yield chunk as Buffer;
    yield tail;
  }
  return {
    stream: Readable.from(parts(), { objectMode: false }),
    length: head.length + size + tail.length,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
