import * as assert from 'node:assert/strict';
import { imageSize } from 'image-size';
import { HEAD_BYTES, imageInfo, isCompleteImage, looksLikeHtml, readPixelSize, sniffImageType } from '../../src/core/api/imageInfo';
import { MAX_JPEG_SEGMENT_PAYLOAD, withJpegXmp, withWebpXmp, xmpPacket } from '../../src/core/xmp';

// Tiny hand-built files: just enough structure for a reader (and image-size, used as an
// independent second opinion) to find the type and the pixel size.

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]); // CRC not checked by readers
}

function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    iend,
  ]);
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

function jpeg(width: number, height: number, sof = 0xc0): Buffer {
  const app0 = segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'));
  // A Huffman table (FFC4) sits in the SOF marker range but carries no size: it must be skipped.
  const dht = segment(0xc4, Buffer.alloc(20, 1));
  const frame = Buffer.alloc(15);
  frame[0] = 8;
  frame.writeUInt16BE(height, 1);
  frame.writeUInt16BE(width, 3);
  frame[5] = 3;
  const sofSeg = segment(sof, frame);
  const sos = segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0]));
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, dht, sofSeg, sos, Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]), Buffer.from([0xff, 0xd9])]);
}

function riff(chunkType: string, chunkData: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(chunkData.length);
  const body = Buffer.concat([Buffer.from('WEBP'), Buffer.from(chunkType, 'latin1'), size, chunkData]);
  const riffSize = Buffer.alloc(4);
  riffSize.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), riffSize, body]);
}

function webpLossy(width: number, height: number): Buffer {
  const d = Buffer.alloc(20);
  d[0] = 0x30; // key frame tag
  d[3] = 0x9d;
  d[4] = 0x01;
  d[5] = 0x2a;
  d.writeUInt16LE(width, 6);
  d.writeUInt16LE(height, 8);
  return riff('VP8 ', d);
}

function webpLossless(width: number, height: number): Buffer {
  const d = Buffer.alloc(10);
  d[0] = 0x2f;
  d.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 1);
  return riff('VP8L', d);
}

function webpExtended(width: number, height: number): Buffer {
  const d = Buffer.alloc(10);
  d.writeUIntLE(width - 1, 4, 3);
  d.writeUIntLE(height - 1, 7, 3);
  return riff('VP8X', d);
}

describe('imageInfo', () => {
  const cases: Array<[string, Buffer, 'png' | 'jpeg' | 'webp', number, number]> = [
    ['PNG', png(1536, 1024), 'png', 1536, 1024],
    ['baseline JPEG', jpeg(1024, 1536), 'jpeg', 1024, 1536],
    ['progressive JPEG (SOF2)', jpeg(3840, 2160, 0xc2), 'jpeg', 3840, 2160],
    ['lossy WebP (VP8)', webpLossy(1824, 1024), 'webp', 1824, 1024],
    ['lossless WebP (VP8L)', webpLossless(2048, 880), 'webp', 2048, 880],
    ['extended WebP (VP8X)', webpExtended(3840, 1648), 'webp', 3840, 1648],
  ];

  for (const [name, buf, type, width, height] of cases) {
    it(`reads type and pixel size of a ${name}`, () => {
      assert.deepEqual(imageInfo(buf), { type, width, height });
      // The independent reader agrees, so the hand-built file is what we claim it is.
      const other = imageSize(buf);
      assert.equal(other.width, width);
      assert.equal(other.height, height);
    });
  }

  it('reads a lossy and a lossless WebP given a VP8X header and an XMP chunk (light files carry their recipe so)', () => {
    for (const [simple, w, h] of [[webpLossy(1200, 675), 1200, 675], [webpLossless(1200, 800), 1200, 800]] as const) {
      const x = withWebpXmp(simple, xmpPacket('{"prompt":"a fox"}', 'a fox'));
      assert.equal(x.toString('latin1', 12, 16), 'VP8X');
      assert.deepEqual(imageInfo(x), { type: 'webp', width: w, height: h });
      assert.deepEqual(imageSize(x), { type: 'webp', width: w, height: h });
    }
  });

  it('finds a JPEG\'s frame header behind a full 64 KB XMP segment within HEAD_BYTES (it is past the first 64 KB)', () => {
    const full = Buffer.concat([xmpPacket(''), Buffer.alloc(MAX_JPEG_SEGMENT_PAYLOAD - 29 - xmpPacket('').length, 0x20)]);
    const j = withJpegXmp(jpeg(3840, 2160, 0xc2), full)!;
    assert.equal(j.readUInt16BE(20 + 2), 65_535, 'APP1 after the 20-byte JFIF segment, as long as a segment gets');
    assert.equal(sniffImageType(j), 'jpeg');
    assert.equal(readPixelSize(j.subarray(0, 64 * 1024)), undefined, 'the old 64 KB head ends inside the XMP');
    assert.deepEqual(imageInfo(j.subarray(0, HEAD_BYTES)), { type: 'jpeg', width: 3840, height: 2160 });
    assert.deepEqual(imageSize(j), { type: 'jpg', width: 3840, height: 2160 });
  });

  it('rejects an HTML error page and recognises it as HTML', () => {
    const page = Buffer.from('\n  <!DOCTYPE html><html><body>403 Forbidden</body></html>');
    assert.equal(sniffImageType(page), undefined);
    assert.equal(imageInfo(page), undefined);
    assert.equal(looksLikeHtml(page), true);
    assert.equal(looksLikeHtml(png(16, 16)), false);
  });

  it('rejects a GIF (the model takes png, jpeg and webp only) and plain text', () => {
    assert.equal(sniffImageType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')), undefined);
    assert.equal(sniffImageType(Buffer.from('{"error":"nope"}')), undefined);
    assert.equal(sniffImageType(Buffer.alloc(0)), undefined);
  });

  it('knows the type but not the size when only the first bytes arrived', () => {
    const cut = png(1024, 1024).subarray(0, 12);
    assert.equal(sniffImageType(cut), 'png');
    assert.equal(readPixelSize(cut), undefined);
    assert.equal(imageInfo(cut), undefined);
    assert.equal(imageInfo(jpeg(1024, 1024).subarray(0, 30)), undefined);
  });

  it('tells complete files from files cut short', () => {
    const p = png(64, 64);
    assert.equal(isCompleteImage('png', p, p.subarray(-32), p.length), true);
    const pc = p.subarray(0, p.length - 5);
    assert.equal(isCompleteImage('png', pc, pc.subarray(-32), pc.length), false);

    const j = jpeg(64, 64);
    assert.equal(isCompleteImage('jpeg', j, j.subarray(-32), j.length), true);
    const jc = j.subarray(0, j.length - 2);
    assert.equal(isCompleteImage('jpeg', jc, jc.subarray(-32), jc.length), false);

    const w = webpLossy(64, 64);
    assert.equal(isCompleteImage('webp', w, w.subarray(-32), w.length), true);
    assert.equal(isCompleteImage('webp', w, w.subarray(-32), w.length - 4), false);
  });
});
