import { BlockList, isIP } from "node:net";
import { normaliseIp } from "./client-ip";
import type { Identity } from "./types";

export type AccessListConfig = { ips: string[]; apiKeys: string[]; users: string[] };

export type AccessList = { matches(identity: Pick<Identity, "kind" | "id"> | undefined, ip: string | undefined): boolean };

/**
 * Allow or deny list over IPs (single addresses or CIDR ranges, IPv4 and IPv6), API key ids and
 * user ids. Decided in memory: no Redis call. Invalid entries throw at build time.
 */
export function createAccessList(config: AccessListConfig): AccessList {
  const blocks = new BlockList();
  for (const entry of config.ips) addIpEntry(blocks, entry);
  const apiKeys = new Set(config.apiKeys);
  const users = new Set(config.users);
  const empty = config.ips.length === 0 && apiKeys.size === 0 && users.size === 0;
  return {
    matches(identity, ip) {
      if (empty) return false;
      if (identity?.kind === "apiKey" && apiKeys.has(identity.id)) return true;
      if (identity?.kind === "user" && users.has(identity.id)) return true;
      const address = ip ? normaliseIp(ip) : undefined;
      if (!address || config.ips.length === 0) return false;
      return blocks.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
    },
  };
}

function addIpEntry(blocks: BlockList, entry: string): void {
  const [address = "", prefix] = entry.trim().split("/");
  const normalised = normaliseIp(address);
  if (!normalised) throw new Error(`Invalid IP or CIDR in rate-limit list: "${entry}"`);
  const type = isIP(normalised) === 6 ? "ipv6" : "ipv4";
  if (prefix === undefined) {
    blocks.addAddress(normalised, type);
    return;
  }
  const bits = Number(prefix);
  if (!Number.isInteger(bits) || bits < 0 || bits > (type === "ipv6" ? 128 : 32)) {
    throw new Error(`Invalid CIDR prefix in rate-limit list: "${entry}"`);
  }
  blocks.addSubnet(normalised, bits, type);
}
