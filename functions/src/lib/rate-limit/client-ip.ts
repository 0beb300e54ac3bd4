import { isIP } from "node:net";

/** The parts of an Express / Functions request the IP derivation reads. */
export type IpSource = {
  headers: Record<string, string | string[] | undefined>;
  ip?: string | undefined;
  socket?: { remoteAddress?: string | undefined } | undefined;
};

export type ClientIpOptions = {
  /**
   * How many proxies of Google's own append to `X-Forwarded-For` in front of this function.
   * Cloud Functions 2nd gen / Cloud Run behind Google's front end: 1 (it appends the address it
   * saw the connection from). Behind an external Application Load Balancer: 2 (the LB appends the
   * client's address and its own). @default 1
   */
  trustedProxyHops?: number;
};

/**
 * The client's IP. `X-Forwarded-For` is read from the right: everything left of what Google's
 * infrastructure appended is whatever the client sent and is never trusted. When the header is
 * missing, too short or malformed, the socket's peer address decides (not `req.ip`, which under
 * Express's `trust proxy` is the left-most, client-supplied entry). Returns a normalised address
 * (IPv4-mapped IPv6 unwrapped, brackets and ports removed), or undefined when nothing is known.
 */
export function clientIp(req: IpSource, options: ClientIpOptions = {}): string | undefined {
  const hops = Math.max(1, options.trustedProxyHops ?? 1);
  const header = req.headers["x-forwarded-for"];
  const raw = Array.isArray(header) ? header.join(",") : header;
  if (raw) {
    const entries = raw
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const candidate = entries.length >= hops ? normaliseIp(entries[entries.length - hops] ?? "") : undefined;
    if (candidate) return candidate;
  }
  return normaliseIp(req.socket?.remoteAddress ?? "") ?? normaliseIp(req.ip ?? "");
}

export function normaliseIp(value: string): string | undefined {
  let ip = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed?.[1]) ip = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(":"));
  ip = ip.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) ip = mapped[1];
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version === 6) return ip.toLowerCase();
  return undefined;
}

/**
 * The subject bans, failure counts and anonymous limits apply to: an IPv4 address as is, an IPv6
 * address by its /64 (one subscriber usually holds a whole /64 and could rotate within it).
 */
export function ipSubject(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const groups = ipv6Groups(ip);
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

function ipv6Groups(ip: string): number[] {
  const address = ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head = "", rest] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const fill = rest === undefined ? 0 : Math.max(0, 8 - left.length - right.length);
  return [...left, ...Array<string>(fill).fill("0"), ...right].map((g) => parseInt(g || "0", 16));
}
