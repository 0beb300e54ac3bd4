import { isIP } from "node:net";

/**
 * Which addresses a webhook may be delivered to (SSRF protection). Every attempt resolves the
 * host and checks each address here; the connection is then made to the checked address itself
 * (`webhook-http.ts`), so a DNS answer that changes between check and connect cannot redirect it.
 */

export type AddressClass =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "shared"
  | "link-local"
  | "metadata"
  | "multicast"
  | "reserved"
  | "documentation"
  | "invalid";

/** Host names that always mean the cloud metadata server or this machine. */
const BLOCKED_NAMES = new Set(["metadata.google.internal", "metadata", "metadata.goog", "localhost", "instance-data", "instance-data.ec2.internal"]);

export function isBlockedHostname(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return BLOCKED_NAMES.has(name) || name.endsWith(".localhost") || name.endsWith(".internal");
}

type V4Range = [base: number, bits: number, cls: AddressClass];

const V4_RANGES: V4Range[] = [
  [ip4("169.254.169.254"), 32, "metadata"],
  [ip4("0.0.0.0"), 8, "unspecified"],
  [ip4("10.0.0.0"), 8, "private"],
  [ip4("100.64.0.0"), 10, "shared"],
  [ip4("127.0.0.0"), 8, "loopback"],
  [ip4("169.254.0.0"), 16, "link-local"],
  [ip4("172.16.0.0"), 12, "private"],
  [ip4("192.0.0.0"), 24, "reserved"],
  [ip4("192.0.2.0"), 24, "documentation"],
  [ip4("192.88.99.0"), 24, "reserved"],
  [ip4("192.168.0.0"), 16, "private"],
  [ip4("198.18.0.0"), 15, "reserved"],
  [ip4("198.51.100.0"), 24, "documentation"],
  [ip4("203.0.113.0"), 24, "documentation"],
  [ip4("224.0.0.0"), 4, "multicast"],
  [ip4("240.0.0.0"), 4, "reserved"],
];

function ip4(text: string): number {
  return text.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function classifyV4(value: number): AddressClass {
  for (const [base, bits, cls] of V4_RANGES) {
    const size = 2 ** (32 - bits);
    if (value >= base && value < base + size) return cls;
  }
  return "public";
}

/** The 16 bytes of an IPv6 address (with an optional dotted IPv4 tail), or null. */
function parseV6(text: string): number[] | null {
  let address = text.split("%")[0] ?? "";
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted?.[1]) {
    if (isIP(dotted[1]) !== 4) return null;
    const v = ip4(dotted[1]);
    address = `${address.slice(0, -dotted[1].length)}${Math.floor(v / 65536).toString(16)}:${(v % 65536).toString(16)}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const words = (part: string | undefined) => (part ? part.split(":") : []);
  const head = words(halves[0]);
  const rest = words(halves[1]);
  const explicit = head.length + rest.length;
  if (explicit > 8 || (halves.length === 1 && explicit !== 8)) return null;
  const fill = halves.length === 2 ? new Array<string>(8 - explicit).fill("0") : [];
  const all = [...head, ...fill, ...rest].map((w) => (/^[0-9a-f]{1,4}$/i.test(w) ? parseInt(w, 16) : NaN));
  if (all.length !== 8 || all.some((w) => Number.isNaN(w))) return null;
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

function v4From(bytes: number[], offset: number): number {
  return (((bytes[offset] ?? 0) * 256 + (bytes[offset + 1] ?? 0)) * 256 + (bytes[offset + 2] ?? 0)) * 256 + (bytes[offset + 3] ?? 0);
}

function classifyV6(bytes: number[]): AddressClass {
  const zeroUpTo = (n: number) => bytes.slice(0, n).every((b) => b === 0);
  const [b0 = 0, b1 = 0] = bytes;
  if (zeroUpTo(16)) return "unspecified";
  if (zeroUpTo(15) && bytes[15] === 1) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms reach the IPv4 address.
  if (zeroUpTo(10) && bytes[10] === 0xff && bytes[11] === 0xff) return classifyV4(v4From(bytes, 12));
  if (zeroUpTo(12)) return classifyV4(v4From(bytes, 12)) === "public" ? "reserved" : classifyV4(v4From(bytes, 12));
  // NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16) embed an IPv4 address a gateway may reach.
  if (b0 === 0x00 && b1 === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) return worstOf(classifyV4(v4From(bytes, 12)), "reserved");
  if (b0 === 0x20 && b1 === 0x02) return worstOf(classifyV4(v4From(bytes, 2)), "reserved");
  if (b0 === 0xfd && b1 === 0x00 && bytes[2] === 0x0e && bytes[3] === 0xc2) return "metadata";
  if (b0 === 0xff) return "multicast";
  if (b0 === 0xfe && (b1 & 0xc0) === 0x80) return "link-local";
  if (b0 === 0xfe && (b1 & 0xc0) === 0xc0) return "private";
  if ((b0 & 0xfe) === 0xfc) return "private";
  if (b0 === 0x20 && b1 === 0x01 && bytes[2] === 0x0d && bytes[3] === 0xb8) return "documentation";
  if (b0 === 0x01 && b1 === 0x00 && zeroUpTo(8)) return "reserved";
  if (b0 === 0x20 && b1 === 0x01 && bytes[2] === 0x00 && bytes[3] === 0x00) return "reserved";
  // Only global unicast (2000::/3) is routable on the internet.
  if ((b0 & 0xe0) !== 0x20) return "reserved";
  return "public";
}

/** Any non-public class wins: a translated address is refused if either side is not public. */
function worstOf(embedded: AddressClass, fallback: AddressClass): AddressClass {
  return embedded === "public" ? fallback : embedded;
}

/** The class of a literal IP address (v4, v6, v6 with zone or dotted tail); `invalid` otherwise. */
export function classifyAddress(address: string): AddressClass {
  const text = address.trim().replace(/^\[|\]$/g, "");
  const family = isIP(text.split("%")[0] ?? "");
  if (family === 4) return classifyV4(ip4(text));
  if (family === 6) {
    const bytes = parseV6(text);
    return bytes ? classifyV6(bytes) : "invalid";
  }
  return "invalid";
}

export type AddressPolicy = {
  /** Loopback receivers are allowed (the emulator and tests only). */
  allowLoopback: boolean;
};

/** Whether an attempt may connect to `address` under `policy`. */
export function addressAllowed(address: string, policy: AddressPolicy): boolean {
  const cls = classifyAddress(address);
  return cls === "public" || (cls === "loopback" && policy.allowLoopback);
}
