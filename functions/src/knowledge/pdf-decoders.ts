import { DocumentRejectedError } from "./document-failures";

/**
 * The PDF stream filters other than Flate, as pdf.js decodes them, for the PDF guard to measure
 * what a chain expands to. Each stops past `room` output bytes; inputs are at most the file size.
 */

const tooComplex = () => new DocumentRejectedError("pdf-too-complex", "The PDF is too complex to read: its content decodes to too much data.");
const isWhite = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x00;

export function asciiHex(input: Buffer): Buffer {
  const out = Buffer.alloc(Math.ceil(input.length / 2));
  let length = 0;
  let high = -1;
  for (const byte of input) {
    if (byte === 0x3e) break;
    const digit = Number.parseInt(String.fromCharCode(byte), 16);
    if (Number.isNaN(digit)) continue;
    if (high < 0) high = digit;
    else {
      out[length++] = (high << 4) | digit;
      high = -1;
    }
  }
  if (high >= 0) out[length++] = high << 4;
  return out.subarray(0, length);
}

export function ascii85(input: Buffer, room: number): Buffer {
  const out = Buffer.alloc(Math.min(4 * input.length, room + 4));
  let length = 0;
  const group: number[] = [];
  const flush = (count: number) => {
    while (group.length < 5) group.push(84);
    const value = group.reduce((sum, digit) => sum * 85 + digit, 0);
    for (let i = 0; i < count - 1; i++) out[length++] = (value >>> (24 - 8 * i)) & 0xff;
    group.length = 0;
  };
  for (const byte of input) {
    if (byte === 0x7e) break;
    if (isWhite(byte)) continue;
    if (length > room - 4) throw tooComplex();
    if (byte === 0x7a && group.length === 0) {
      length += 4; // `z` is four zero bytes; the buffer is already zeroed
      continue;
    }
    if (byte < 0x21 || byte > 0x75) continue;
    group.push(byte - 0x21);
    if (group.length === 5) flush(5);
  }
  if (group.length > 1) flush(group.length);
  return out.subarray(0, length);
}

export function runLength(input: Buffer, room: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (let i = 0; i < input.length; ) {
    const n = input[i] ?? 128;
    if (n === 128) break;
    const part = n < 128 ? input.subarray(i + 1, i + 2 + n) : Buffer.alloc(257 - n, input[i + 1] ?? 0);
    i += n < 128 ? n + 2 : 2;
    size += part.length;
    if (size > room) throw tooComplex();
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/** LZW with 9-12 bit codes and early change, as PDF's LZWDecode (the default `EarlyChange 1`). */
export function lzw(input: Buffer, room: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  let table: Buffer[] = [];
  const reset = () => {
    table = Array.from({ length: 258 }, (_, i) => Buffer.from([i]));
  };
  reset();
  let bits = 9;
  let buffer = 0;
  let buffered = 0;
  let previous: Buffer | null = null;
  for (const byte of input) {
    buffer = ((buffer << 8) | byte) & 0xffffff;
    buffered += 8;
    while (buffered >= bits) {
      const code = (buffer >>> (buffered - bits)) & ((1 << bits) - 1);
      buffered -= bits;
      if (code === 256) {
        reset();
        bits = 9;
        previous = null;
        continue;
      }
      if (code === 257) return Buffer.concat(parts);
      let entry = table[code];
      if (!entry) {
        if (!previous || code !== table.length) return Buffer.concat(parts);
        entry = Buffer.concat([previous, previous.subarray(0, 1)]);
      }
      if (previous && table.length < 4096) table.push(Buffer.concat([previous, entry.subarray(0, 1)]));
      previous = entry;
      size += entry.length;
      if (size > room) throw tooComplex();
      parts.push(entry);
      const next = table.length + 1;
      bits = next >= 2048 ? 12 : next >= 1024 ? 11 : next >= 512 ? 10 : 9;
    }
  }
  return Buffer.concat(parts);
}
