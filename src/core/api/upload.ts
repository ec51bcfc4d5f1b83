// What an upload of a reference image sends (docs/provider-api.md, "Uploads (the file service)"): the
// file checked first (a regular file of at most 50 MB whose bytes are PNG, JPEG or WebP), then
// streamed from disk as multipart/form-data.
// The file is opened once: the checks and every attempt (retries included) read that open file,
// never its path again, so a path swapped meanwhile (for a link to another file) changes nothing.
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { MAX_REFERENCE_BYTES } from '../../shared/limits';
import { IMAGE_FORMATS, type ImageType } from '../../shared/imageFormats';
import { IMAGE_MODEL } from '../../shared/model';
import { PictorError } from './errors';
import { sniffImageType } from './imageInfo';
import { words } from '../../shared/words';
import { openForReading } from '../paths';


/** A local file opened for upload: whoever opened it closes it, once its upload is over. */
export interface UploadSource {
  /** Where the file really is; its name is the name sent. */
  readonly path: string;
  /** Every read goes through this, at explicit positions (several attempts may read it in turn). */
  readonly handle: FileHandle;
}

/** Opens a file for upload as it is named (no check of where it lies: the caller's job). */
export async function openForUpload(filePath: string): Promise<UploadSource> {
  try {
    return { path: filePath, handle: await openForReading(filePath) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new PictorError('invalid', words('upload.cannotRead', path.basename(filePath), code));
  }
}

export async function inspectUpload(src: UploadSource): Promise<{ size: number; type: ImageType; mime: string }> {
  const name = path.basename(src.path);
  const st = await src.handle.stat();
  if (!st.isFile()) throw new PictorError('invalid', words('upload.notFile', name));
  if (st.size > MAX_REFERENCE_BYTES) throw new PictorError('invalid', words('upload.tooBig', name, MAX_REFERENCE_BYTES / (1024 * 1024)));
  const head = Buffer.alloc(64);
  const { bytesRead } = await src.handle.read(head, 0, head.length, 0);
  const type = sniffImageType(head.subarray(0, bytesRead));
  // A format the model does not take as a reference is refused here too, whatever its name says.
  if (!type || !(IMAGE_MODEL.references.types as readonly ImageType[]).includes(type)) throw new PictorError('invalid', words('upload.notImage', name, IMAGE_MODEL.id));
  return { size: st.size, type, mime: IMAGE_FORMATS[type].mime };
}

/** A multipart/form-data body whose file part streams from the open file; the length is known up front. */
export interface MultipartBody {
  stream: Readable;
  length: number;
  contentType: string;
}

const CHUNK = 64 * 1024;

/**
 * The body of one attempt: the first `size` bytes of the open file, read from position 0 (a retry
 * reads the same file again from the start). A file that shrank meanwhile ends the attempt with an error.
 */
export function multipart(src: UploadSource, fileName: string, mime: string, size: number): MultipartBody {
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
    for (let at = 0; at < size;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - at));
      const { bytesRead } = await src.handle.read(chunk, 0, chunk.length, at);
      if (bytesRead === 0) throw new PictorError('invalid', words('upload.changed', path.basename(src.path)));
      at += bytesRead;
      yield chunk.subarray(0, bytesRead);
    }
    yield tail;
  }
  return {
    stream: Readable.from(parts(), { objectMode: false }),
    length: head.length + size + tail.length,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
