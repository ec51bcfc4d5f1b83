// The recipe in a WebP or JPEG file, as XMP (the metadata Adobe's tools, ExifTool, Windows and macOS
// read): an uncompressed packet with the prompt as dc:description, which viewers show, and the recipe's
// JSON as pictor:recipe. WebP holds it in an `XMP ` chunk, flagged in a VP8X header (built from the
// simple VP8/VP8L header when the encoder wrote none); JPEG in an APP1 segment after JFIF/Exif, which
// holds at most 65,533 bytes: a bigger recipe (a long CJK prompt) goes to the sidecar instead
// (recipe.ts). The image data is copied byte for byte. The readers are bounded: every length is
// checked against the file, chunks and segments are counted, and a file is read by its headers.
import { promises as fs } from 'node:fs';

export const PICTOR_XMP_NS = 'https://github.com/pictor-vscode/pictor/ns/1.0/';
/** The name an APP1 segment of XMP starts with (Adobe XMP Specification Part 3, 1.1.3). */
const JPEG_XMP_NAME = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
/** A segment's length field counts itself and holds at most 65,535: 65,533 bytes of payload, the name included. */
export const MAX_JPEG_SEGMENT_PAYLOAD = 65_533;
/** The most chunks or segments a reader here walks: real files have a handful. */
export const MAX_METADATA_PARTS = 1_024;
/** A recipe's packet is at most a few hundred KB (a 32,000-character prompt, twice, escaped): a bigger one is not ours. */
export const MAX_XMP_BYTES = 4 * 1024 * 1024;

// ---- the packet ----------------------------------------------------------------------------------

/** Characters XML 1.0 cannot hold at all, not even escaped: C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
// eslint-disable-next-line no-control-regex -- the control characters are what it finds
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeXml(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, e: string) => {
    if (e[0] !== '#') return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!;
    const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

/**
 * An XMP packet holding `json` (the recipe) and, when given, `description` (the prompt, for viewers).
 * The JSON keeps every character: the few XML cannot hold are written as JSON escapes instead.
 */
export function xmpPacket(json: string, description?: string): Buffer {
  const safeJson = json.replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const desc = description === undefined ? '' :
    `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(description.replace(NOT_XML, ''))}</rdf:li></rdf:Alt></dc:description>`;
  return Buffer.from(
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pictor="${PICTOR_XMP_NS}">` +
    `${desc}<pictor:recipe>${escapeXml(safeJson)}</pictor:recipe>` +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>', 'utf8');
}

/**
 * The recipe's JSON text in an XMP packet, whatever prefix a tool that rewrote it bound to Pictor's
 * namespace, as an element or as an attribute; undefined when it holds none.
 */
export function recipeJsonFromXmp(packet: string): string | undefined {
  const bound = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)=["']${PICTOR_XMP_NS.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}["']`).exec(packet);
  if (!bound) return undefined;
  const p = bound[1]!;
  const element = new RegExp(`<${p}:recipe>([^<]*)</${p}:recipe>`).exec(packet);
  if (element) return unescapeXml(element[1]!);
  const attribute = new RegExp(`\\s${p}:recipe=(?:"([^"]*)"|'([^']*)')`).exec(packet);
  return attribute ? unescapeXml(attribute[1] ?? attribute[2]!) : undefined;
}

// ---- WebP ----------------------------------------------------------------------------------------

interface Part {
  type: string;
  /** Offset of the chunk's (segment's) header in the file. */
  start: number;
  /** Offset just after it (a RIFF chunk's pad byte included). */
  end: number;
  data: Buffer;
}

/** A WebP file's signature: a RIFF container of form `WEBP`. */
export function isWebp(b: Buffer): boolean {
  return b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP';
}

/** Every chunk of a WebP file, checked against the RIFF size and the file; throws on a broken file. */
export function webpChunks(b: Buffer): Part[] {
  if (!isWebp(b)) throw new Error('not a WebP file');
  const riffEnd = 8 + b.readUInt32LE(4);
  if (riffEnd > b.length) throw new Error('the RIFF size runs past the end of the file');
  const out: Part[] = [];
  for (let at = 12; at < riffEnd;) {
    if (out.length >= MAX_METADATA_PARTS) throw new Error(`more than ${MAX_METADATA_PARTS} chunks: not an image this reads`);
    if (at + 8 > riffEnd) throw new Error(`truncated chunk at byte ${at}`);
    const size = b.readUInt32LE(at + 4);
    if (at + 8 + size > riffEnd) throw new Error(`chunk at byte ${at} runs past the end of the file`);
    const end = Math.min(riffEnd, at + 8 + size + (size & 1));
    out.push({ type: b.toString('latin1', at, at + 4), start: at, end, data: b.subarray(at + 8, at + 8 + size) });
    at = end;
  }
  if (!out.length) throw new Error('a WebP file without chunks');
  return out;
}

function riffChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(8 + data.length + (data.length & 1));
  out.write(type, 0, 'latin1');
  out.writeUInt32LE(data.length, 4);
  data.copy(out, 8);
  return out;
}

/** The VP8X header a simple WebP (one VP8 or VP8L chunk) would have: its canvas size, and alpha as its VP8L header says. */
function vp8xFor(image: Part): Buffer {
  const d = image.data;
  let width: number, height: number, alpha = false;
  if (image.type === 'VP8 ' && d.length >= 10 && d[3] === 0x9d && d[4] === 0x01 && d[5] === 0x2a) {
    width = d.readUInt16LE(6) & 0x3fff;
    height = d.readUInt16LE(8) & 0x3fff;
  } else if (image.type === 'VP8L' && d.length >= 5 && d[0] === 0x2f) {
    const bits = d.readUInt32LE(1);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
    alpha = ((bits >>> 28) & 1) === 1;
  } else {
    throw new Error(`no image header in the WebP's first chunk (${image.type})`);
  }
  const v = Buffer.alloc(10);
  v[0] = alpha ? 0x10 : 0;
  v.writeUIntLE(width - 1, 4, 3);
  v.writeUIntLE(height - 1, 7, 3);
  return v;
}

const VP8X_XMP_FLAG = 0x04;

/**
 * A copy of a WebP file carrying `packet` as its XMP (any earlier XMP replaced): the VP8X header's XMP
 * flag set (a VP8X made for a simple file), the `XMP ` chunk last, after the image and any EXIF, as the
 * container's order has it. Throws on a broken file.
 */
export function withWebpXmp(webp: Uint8Array, packet: Buffer): Buffer {
  const b = Buffer.from(webp.buffer, webp.byteOffset, webp.byteLength);
  const chunks = webpChunks(b);
  const first = chunks[0]!;
  const vp8x = Buffer.from(first.type === 'VP8X' ? first.data : vp8xFor(first));
  if (vp8x.length < 10) throw new Error('a VP8X chunk shorter than 10 bytes');
  vp8x[0] = vp8x[0]! | VP8X_XMP_FLAG;
  const kept = chunks.filter((c) => c.type !== 'XMP ' && c !== (first.type === 'VP8X' ? first : undefined));
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), riffChunk('VP8X', vp8x), ...kept.map((c) => b.subarray(c.start, c.end)), riffChunk('XMP ', packet)]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

// ---- JPEG ----------------------------------------------------------------------------------------

const SOS = 0xda;
const EOI = 0xd9;

/** A JPEG file's signature: the start-of-image marker, then another marker. */
export function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/**
 * The marker segments of a JPEG file before its image data (SOS), where metadata lives, each with its
 * marker as `type` ("E1" for APP1); throws on a broken file.
 */
export function jpegSegments(b: Buffer): { segments: Part[]; scanAt: number } {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw new Error('not a JPEG file');
  const segments: Part[] = [];
  let at = 2;
  for (;;) {
    if (segments.length >= MAX_METADATA_PARTS) throw new Error(`more than ${MAX_METADATA_PARTS} segments: not an image this reads`);
    if (at + 2 > b.length || b[at] !== 0xff) throw new Error(`no marker at byte ${at}`);
    const marker = b[at + 1]!;
    if (marker === 0xff) { at += 1; continue; } // fill byte
    if (marker === SOS || marker === EOI) return { segments, scanAt: at };
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; } // no length
    if (at + 4 > b.length) throw new Error(`truncated segment at byte ${at}`);
    const len = b.readUInt16BE(at + 2);
    if (len < 2 || at + 2 + len > b.length) throw new Error(`segment at byte ${at} runs past the end of the file`);
    segments.push({ type: marker.toString(16).toUpperCase(), start: at, end: at + 2 + len, data: b.subarray(at + 4, at + 2 + len) });
    at += 2 + len;
  }
}

function isXmpSegment(s: Pick<Part, 'type' | 'data'>): boolean {
  return s.type === 'E1' && s.data.length >= JPEG_XMP_NAME.length && s.data.subarray(0, JPEG_XMP_NAME.length).equals(JPEG_XMP_NAME);
}

/** Whether `packet` fits in one JPEG APP1 segment. */
export function fitsJpegSegment(packet: Buffer): boolean {
  return JPEG_XMP_NAME.length + packet.length <= MAX_JPEG_SEGMENT_PAYLOAD;
}

/**
 * A copy of a JPEG file carrying `packet` as its XMP (any earlier XMP replaced), in an APP1 segment
 * right after the leading JFIF (APP0) and Exif (APP1) segments; undefined when the packet does not fit
 * one segment. Throws on a broken file.
 */
export function withJpegXmp(jpeg: Uint8Array, packet: Buffer): Buffer | undefined {
  if (!fitsJpegSegment(packet)) return undefined;
  const b = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  const { segments } = jpegSegments(b);
  let insertAt = 2;
  for (const s of segments) {
    if (s.start !== insertAt || !(s.type === 'E0' || (s.type === 'E1' && !isXmpSegment(s)))) break;
    insertAt = s.end;
  }
  const seg = Buffer.alloc(4);
  seg[0] = 0xff;
  seg[1] = 0xe1;
  seg.writeUInt16BE(2 + JPEG_XMP_NAME.length + packet.length, 2);
  // Everything but earlier XMP segments, byte for byte.
  const parts: Buffer[] = [b.subarray(0, insertAt), seg, JPEG_XMP_NAME, packet];
  let at = insertAt;
  for (const s of segments.filter((x) => isXmpSegment(x) && x.start >= insertAt)) {
    parts.push(b.subarray(at, s.start));
    at = s.end;
  }
  parts.push(b.subarray(at));
  return Buffer.concat(parts);
}

// ---- reading -------------------------------------------------------------------------------------

/** The XMP packet of a WebP or JPEG file held in memory; undefined when it has none or is not one. */
export function xmpFromImage(image: Uint8Array): string | undefined {
  const b = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  try {
    if (isWebp(b)) return webpChunks(b).find((c) => c.type === 'XMP ')?.data.toString('utf8');
    if (isJpeg(b)) {
      return jpegSegments(b).segments.find(isXmpSegment)?.data.subarray(JPEG_XMP_NAME.length).toString('utf8');
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The XMP packet of a WebP or JPEG file on disk, read by its headers: the image data is skipped, never
 * read; at most MAX_METADATA_PARTS chunks or segments are looked at, and a packet over MAX_XMP_BYTES is
 * not loaded. Undefined when it has none or is neither format. Throws when the file cannot be read.
 */
export async function readXmpFromFile(file: string): Promise<string | undefined> {
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = async (at: number, n: number): Promise<Buffer | undefined> => {
      if (at < 0 || n < 0 || at + n > size) return undefined;
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, at);
      return bytesRead === n ? buf : undefined;
    };
    const head = await read(0, 12);
    if (!head) return undefined;
    if (isWebp(head)) {
      const riffEnd = Math.min(size, 8 + head.readUInt32LE(4));
      for (let at = 12, seen = 0; at + 8 <= riffEnd && seen < MAX_METADATA_PARTS; seen++) {
        const h = (await read(at, 8))!;
        const n = h.readUInt32LE(4);
        if (at + 8 + n > riffEnd) return undefined;
        if (h.toString('latin1', 0, 4) === 'XMP ') return n <= MAX_XMP_BYTES ? (await read(at + 8, n))?.toString('utf8') : undefined;
        at += 8 + n + (n & 1);
      }
      return undefined;
    }
    if (!isJpeg(head)) return undefined;
    for (let at = 2, seen = 0; seen < MAX_METADATA_PARTS; seen++) {
      const h = await read(at, 4);
      if (!h || h[0] !== 0xff) return undefined;
      const marker = h[1]!;
      if (marker === 0xff) { at += 1; continue; }
      if (marker === SOS || marker === EOI) return undefined;
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; }
      const len = h.readUInt16BE(2);
      if (len < 2 || at + 2 + len > size) return undefined;
      if (marker === 0xe1 && len - 2 >= JPEG_XMP_NAME.length) {
        const data = (await read(at + 4, len - 2))!;
        if (isXmpSegment({ type: 'E1', data })) return data.subarray(JPEG_XMP_NAME.length).toString('utf8');
      }
      at += 2 + len;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}
