/** Page tokens over name-sorted listings: the token is the last name of the previous page. */
import { invalidArgument } from "./grpc-errors";

export type Page<T> = { items: T[]; next_page_token: string };

export function paginate<T>(all: T[], nameOf: (t: T) => string, pageSize: number | undefined, token: string | undefined): Page<T> {
  const sorted = [...all].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  let after = "";
  if (token) {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (!after) throw invalidArgument("Invalid page_token");
  }
  const rest = after ? sorted.filter((t) => nameOf(t) > after) : sorted;
  const size = pageSize && pageSize > 0 ? pageSize : rest.length;
  const items = rest.slice(0, size);
  const more = rest.length > items.length && items.length > 0;
  return { items, next_page_token: more ? Buffer.from(nameOf(items[items.length - 1]!), "utf8").toString("base64url") : "" };
}
