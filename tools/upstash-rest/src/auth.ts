/** Bearer-token check (`Authorization: Bearer <token>`, or `?_token=<token>` as Upstash allows). */
import { timingSafeEqual } from "node:crypto";

export function tokenMatches(expected: Buffer, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const given = Buffer.from(presented, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1] : undefined;
}
