// PNG text chunks (tEXt, iTXt): read them, and put new ones in a copy of the file. Only the
// chunk list changes; the pixel data (IDAT) is copied byte for byte, so the image is the same.

import { crc32 } from 'node:zlib';
import { promises as fs } from 'node:fs';

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The most chunks a reader here looks at. A real PNG has a handful, or a few thousand image data
 * chunks in a large file (a 4K image in libpng's 8 KB chunks has about 4,000); a file may claim a
 * million empty ones, and each costs a read, a CRC and an object.
 */
export const MAX_PNG_CHUNKS = 20_000;
/** What the disk scan reads at once: a few hundred small chunks per read. */
export const SCAN_BLOCK_BYTES = 64 * 1024;
const MAX_TEXT_CHUNK_BYTES = 4 * 1024 * 1024;

export interface PngChunk {
  type: string;
  /** Offset of the chunk (its length field) in the file. */
  start: number;
  /** Offset just after its CRC. */
  end: number;
  data: Buffer;
}

export interface PngText {
  keyword: string;
  text: string;
}

export function isPng(buf: Uint8Array): boolean {
  return buf.length >= 8 && Buffer.from(buf.buffer, buf.byteOffset, 8).equals(PNG_SIGNATURE);
}

/** Every chunk of a PNG, checked: the signature, each length and each CRC; at most MAX_PNG_CHUNKS of them. Throws on a broken file. */
export function pngChunks(png: Buffer): PngChunk[] {
  if (!isPng(png)) throw new Error('not a PNG file');
  const out: PngChunk[] = [];
  let at = 8;
  while (at < png.length) {
    if (out.length >= MAX_PNG_CHUNKS) throw new Error(`more than ${MAX_PNG_CHUNKS} chunks: not an image this reads`);
    if (at + 12 > png.length) throw new Error(`truncated chunk at byte ${at}`);
    const len = png.readUInt32BE(at);
    const end = at + 12 + len;
    if (len > 0x7fffffff || end > png.length) throw new Error(`chunk at byte ${at} runs past the end of the file`);
    const type = png.toString('latin1', at + 4, at + 8);
    if (crc32(png.subarray(at + 4, at + 8 + len)) >>> 0 !== png.readUInt32BE(at + 8 + len)) throw new Error(`bad CRC in ${type} chunk at byte ${at}`);
    out.push({ type, start: at, end, data: png.subarray(at + 8, at + 8 + len) });
    at = end;
    if (type === 'IEND') break;
  }
  if (out[0]?.type !== 'IHDR' || out[out.length - 1]?.type !== 'IEND') throw new Error('missing IHDR or IEND chunk');
  return out;
}

export function makeChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

function checkKeyword(keyword: string): void {
  // PNG spec: 1–79 Latin-1 printable characters, no leading, trailing or double spaces.
  if (!/^[\x21-\x7e\xa1-\xff]([\x20-\x7e\xa1-\xff]{0,77}[\x21-\x7e\xa1-\xff])?$/.test(keyword) || keyword.includes('  ')) {
    throw new Error(`"${keyword}" is not a valid PNG keyword`);
  }
}

/** An uncompressed iTXt chunk: UTF-8 text, no language tag. */
export function itxtChunk(keyword: string, text: string): Buffer {
  checkKeyword(keyword);
  return makeChunk('iTXt', Buffer.concat([
    Buffer.from(keyword, 'latin1'),
    Buffer.from([0, 0, 0, 0, 0]), // NUL, compression flag, method, empty language tag, empty translated keyword
    Buffer.from(text, 'utf8'),
  ]));
}

/** A tEXt chunk when the text is plain Latin-1 (read by every tool); iTXt otherwise. */
export function textChunk(keyword: string, text: string): Buffer {
  checkKeyword(keyword);
  if (!/^[\n\x20-\x7e\xa0-\xff]*$/.test(text)) return itxtChunk(keyword, text);
  return makeChunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]));
}

/** The keyword and text of a tEXt or iTXt chunk (compressed iTXt is skipped: we never write one). */
export function decodeText(chunk: Pick<PngChunk, 'type' | 'data'>): PngText | undefined {
  const d = chunk.data;
  const nul = d.indexOf(0);
  if (nul < 1) return undefined;
  const keyword = d.toString('latin1', 0, nul);
  if (chunk.type === 'tEXt') return { keyword, text: d.toString('latin1', nul + 1) };
  if (chunk.type !== 'iTXt' || nul + 3 > d.length || d[nul + 1] !== 0) return undefined;
  const lang = d.indexOf(0, nul + 3);
  const translated = lang < 0 ? -1 : d.indexOf(0, lang + 1);
  if (translated < 0) return undefined;
  return { keyword, text: d.toString('utf8', translated + 1) };
}

/**
 * A copy of `png` with `chunks` placed right after IHDR (before the image data, where readers that
 * stop early still find them), and without the earlier text chunks whose keyword is in `replace`.
 */
export function withTextChunks(png: Buffer, chunks: Buffer[], replace: readonly string[]): Buffer {
  const all = pngChunks(png);
  const parts: Buffer[] = [png.subarray(0, 8)];
  for (const c of all) {
    const isText = c.type === 'tEXt' || c.type === 'iTXt' || c.type === 'zTXt';
    if (isText && replace.includes(c.data.toString('latin1', 0, Math.max(0, c.data.indexOf(0))))) continue;
    parts.push(png.subarray(c.start, c.end));
    if (c.type === 'IHDR') parts.push(...chunks);
  }
  return Buffer.concat(parts);
}

/**
 * The first text chunk with each of `keywords` in a PNG file, read from disk in blocks of
 * SCAN_BLOCK_BYTES: the image data is skipped, never decoded, and a chunk too big for a block is
 * jumped over unread. Bounded for any file: at most MAX_PNG_CHUNKS chunks are looked at (we write our
 * text right after IHDR, so a real recipe is among the first few), so a file of a million empty chunks
 * costs a handful of reads, not a million.
 */
export async function readPngTextFromFile(file: string, keywords: readonly string[]): Promise<PngText[]> {
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    let block = Buffer.alloc(0);
    let blockAt = 0;
    /** Bytes [at, at + n) of the file, from the block in hand or from a new block read at `at`; undefined past the end. */
    const bytes = async (at: number, n: number): Promise<Buffer | undefined> => {
      if (at < blockAt || at + n > blockAt + block.length) {
        const want = Math.max(n, Math.min(SCAN_BLOCK_BYTES, size - at));
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(buf, 0, want, at);
        block = buf.subarray(0, bytesRead);
        blockAt = at;
        if (bytesRead < n) return undefined;
      }
      return block.subarray(at - blockAt, at - blockAt + n);
    };
    const head = await bytes(0, 8);
    if (!head || !isPng(head)) return [];
    const wanted = new Set(keywords);
    const found = new Map<string, PngText>();
    let at = 8;
    for (let seen = 0; seen < MAX_PNG_CHUNKS && found.size < wanted.size && at + 12 <= size; seen++) {
      const h = await bytes(at, 8);
      if (!h) break;
      const len = h.readUInt32BE(0);
      const type = h.toString('latin1', 4, 8);
      if (at + 12 + len > size || type === 'IEND') break;
      // Our own chunks are at most a few hundred KB; a huge "text" chunk is not one of them.
      if ((type === 'tEXt' || type === 'iTXt') && len <= MAX_TEXT_CHUNK_BYTES) {
        // The keyword first (at most 79 bytes and its NUL): the text itself is read only when it is wanted.
        const start = await bytes(at + 8, Math.min(len, 80));
        const nul = start ? start.indexOf(0) : -1;
        const keyword = nul > 0 ? start!.toString('latin1', 0, nul) : '';
        if (wanted.has(keyword) && !found.has(keyword)) {
          const data = await bytes(at + 8, len);
          const t = data && decodeText({ type, data });
          if (t) found.set(keyword, t);
        }
      }
      at += 12 + len;
    }
    return keywords.flatMap((k) => found.get(k) ?? []);
  } finally {
    await fh.close();
  }
}
