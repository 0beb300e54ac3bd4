/** CRC32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven and incremental. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export class Crc32c {
  private state = 0xffffffff;

  update(data: Uint8Array): this {
    let c = this.state;
    for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    this.state = c;
    return this;
  }

  value(): number {
    return (this.state ^ 0xffffffff) >>> 0;
  }

  /** Base64 of the big-endian 4-byte value, the form GCS uses in `crc32c` and `x-goog-hash`. */
  base64(): string {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(this.value(), 0);
    return b.toString("base64");
  }
}
