import { constants, createInflate } from "node:zlib";
import { DocumentRejectedError } from "./document-failures";
import { ascii85, asciiHex, lzw, runLength } from "./pdf-decoders";

/**
 * A static check run before a PDF reaches pdf.js: the streams pdf.js may decode for text
 * (content, fonts, forms, object streams: everything but images) must decode to at most
 * `budgetBytes` in total. pdf.js holds each decoded stream in memory (about 2.3x its size at the
 * peak), and its ArrayBuffers are outside V8's heap limits, so a small PDF of highly compressible
 * streams would otherwise exhaust the instance's memory. Decoding here is native zlib, streamed
 * and counted, and stops at the budget, so this check itself stays within it.
 *
 * Not covered, and left to the worker's memory watchdog: streams of an encrypted PDF (the guard
 * sees ciphertext) and image streams (skipped, as pdf.js does not decode images for text).
 */
export async function assertPdfDecodesWithin(data: Uint8Array, budgetBytes: number): Promise<number> {
  const source = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const text = source.toString("latin1");
  let used = 0;
  for (const stream of findStreams(text)) {
    const dict = decodeNameEscapes(stream.dict);
    if (/\/Subtype\s*\/Image\b/.test(dict)) continue;
    const filters = filtersOf(dict);
    if (filters === null) throw tooComplex();
    used += await decodedSize(source.subarray(stream.start, stream.end), filters, budgetBytes - used);
  }
  return used;
}

const tooComplex = () => new DocumentRejectedError("pdf-too-complex", "The PDF is too complex to read: its content decodes to too much data.");

/** How far back from `stream` its dictionary may start; stream dictionaries are small. */
const MAX_DICT_CHARS = 64 * 1024;

function* findStreams(text: string): Generator<{ dict: string; start: number; end: number }> {
  let at = 0;
  for (;;) {
    const keyword = text.indexOf("stream", at);
    if (keyword < 0) return;
    at = keyword + 6;
    if (text.startsWith("end", keyword - 3)) continue;
    let start = keyword + 6;
    if (text[start] === "\r") start += 1;
    if (text[start] !== "\n" && text[start - 1] !== "\r") continue;
    if (text[start] === "\n") start += 1;
    const objStart = text.lastIndexOf("obj", keyword);
    const dict = objStart >= 0 && keyword - objStart <= MAX_DICT_CHARS ? text.slice(objStart, keyword) : text.slice(Math.max(0, keyword - MAX_DICT_CHARS), keyword);
    // pdf.js trusts a direct /Length when `endstream` follows it, else scans: take the longer.
    const endKeyword = text.indexOf("endstream", start);
    const declared = /\/Length\s+(\d{1,10})(?![\d\s]*R)/.exec(dict);
    const end = Math.min(text.length, Math.max(endKeyword < 0 ? text.length : endKeyword, declared ? start + Number(declared[1]) : 0));
    yield { dict, start, end };
    at = Math.max(at, endKeyword < 0 ? text.length : endKeyword);
  }
}

/** `/Fl#61teDecode` is `/FlateDecode` to pdf.js, so it must be to the guard too. */
function decodeNameEscapes(dict: string): string {
  return dict.replace(/#([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const ABBREVIATIONS: Record<string, string> = { AHx: "ASCIIHexDecode", A85: "ASCII85Decode", LZW: "LZWDecode", Fl: "FlateDecode", RL: "RunLengthDecode", CCF: "CCITTFaxDecode", DCT: "DCTDecode" };

/**
 * The filter chain (`/F` wins over `/Filter`, as in pdf.js), [] for none; null when it is not
 * written inline as names (an indirect reference): the guard refuses what it cannot measure.
 */
function filtersOf(dict: string): string[] | null {
  const key = /\/F(?=[\s/[])/.exec(dict) ?? /\/Filter(?=[\s/[])/.exec(dict);
  if (!key) return [];
  const rest = dict.slice(key.index + key[0].length).trimStart();
  let names: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) return null;
    names = rest.slice(1, close);
  } else {
    const name = /^\/[A-Za-z0-9]+/.exec(rest);
    if (!name) return null;
    names = name[0];
  }
  const [before = "", ...list] = names.split("/").map((part) => part.trim());
  if (before !== "" || list.some((name) => !/^[A-Za-z0-9]+$/.test(name))) return null;
  return list.map((name) => ABBREVIATIONS[name] ?? name);
}

async function decodedSize(raw: Buffer, filters: readonly string[], room: number): Promise<number> {
  let data = raw;
  for (const [i, filter] of filters.entries()) {
    const last = i === filters.length - 1;
    if (filter === "FlateDecode") {
      const out = await inflateCapped(data, room, !last);
      if (last) return out.size;
      data = out.data;
    } else if (filter === "ASCIIHexDecode") data = asciiHex(data);
    else if (filter === "ASCII85Decode") data = ascii85(data, room);
    else if (filter === "RunLengthDecode") data = runLength(data, room);
    else if (filter === "LZWDecode") data = lzw(data, room);
    else break; // image codecs and Crypt: pdf.js does not decode images for text
  }
  if (data.length > room) throw tooComplex();
  return data.length;
}

/** Inflates, counting output and stopping past `room`; truncated or corrupt input keeps what decoded. */
function inflateCapped(input: Buffer, room: number, keep: boolean): Promise<{ size: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      resolve({ size, data: keep ? Buffer.concat(parts) : Buffer.alloc(0) });
    };
    inflate.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (keep) parts.push(chunk);
      if (size > room && !settled) {
        settled = true;
        inflate.destroy();
        reject(tooComplex());
      }
    });
    inflate.on("end", done);
    inflate.on("error", done);
    inflate.end(input);
  });
}
