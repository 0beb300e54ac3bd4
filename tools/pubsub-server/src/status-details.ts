/**
 * Hand-encodes google.rpc.Status { code, message, details: [Any(google.rpc.ErrorInfo)] }.
 * Three tiny messages do not justify loading the google/rpc protos at runtime.
 */
export type ErrorInfo = { reason: string; domain: string; metadata: Record<string, string> };

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function bytesField(field: number, value: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
}

const stringField = (field: number, value: string): Buffer => bytesField(field, Buffer.from(value, "utf8"));

function encodeErrorInfo(info: ErrorInfo): Buffer {
  const parts = [stringField(1, info.reason), stringField(2, info.domain)];
  for (const [k, v] of Object.entries(info.metadata)) {
    parts.push(bytesField(3, Buffer.concat([stringField(1, k), stringField(2, v)])));
  }
  return Buffer.concat(parts);
}

export function encodeStatusWithErrorInfo(code: number, message: string, info: ErrorInfo): Buffer {
  const any = Buffer.concat([stringField(1, "type.googleapis.com/google.rpc.ErrorInfo"), bytesField(2, encodeErrorInfo(info))]);
  return Buffer.concat([varint(1 << 3), varint(code), stringField(2, message), bytesField(3, any)]);
}
