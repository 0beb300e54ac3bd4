/**
 * From a request's JSON command (`["SET", "k", "v", "EX", 10]`) to the arguments sent to Redis:
 * validation, the connection-state policy and the Lua script compatibility rewrite.
 */
import { refusal } from "./command-policy";
import { ErrorReply, type Arg, type Reply } from "./resp";
import type { ScriptShaMap } from "./script-rewrite";

export interface PreparedCommand {
  args: Arg[];
  /** Adjusts the reply before it is encoded (SCRIPT LOAD answers the original SHA1). */
  mapReply?: (reply: Reply) => Reply;
}

/** JSON strings as they are, numbers and booleans as their text (as the Upstash client sends them). */
export function toArgs(raw: unknown): Arg[] | ErrorReply {
  if (!Array.isArray(raw) || raw.length === 0) {
    return new ErrorReply("ERR a command must be a non-empty JSON array, e.g. [\"GET\",\"key\"]");
  }
  const args: Arg[] = new Array<Arg>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v: unknown = raw[i];
    if (typeof v === "string") args[i] = v;
    else if (typeof v === "number" && Number.isFinite(v)) args[i] = String(v);
    else if (typeof v === "boolean") args[i] = String(v);
    else return new ErrorReply(`ERR command argument ${i} must be a string or a number, got ${v === null ? "null" : typeof v}`);
  }
  return args;
}

export function prepareCommand(args: Arg[], scripts: ScriptShaMap): PreparedCommand | ErrorReply {
  const name = args[0]!.toString().toUpperCase();
  const refused = refusal(name, args);
  if (refused) return new ErrorReply(refused);
  switch (name) {
    case "EVAL":
    case "EVAL_RO":
      if (args.length > 1) args[1] = scripts.prepare(args[1]!.toString()).script;
      return { args };
    case "EVALSHA":
    case "EVALSHA_RO":
      if (args.length > 1) args[1] = scripts.translate(args[1]!.toString());
      return { args };
    case "SCRIPT": {
      const sub = args.length > 1 ? args[1]!.toString().toUpperCase() : "";
      if (sub === "LOAD" && args.length === 3) {
        const { script, originalSha } = scripts.prepare(args[2]!.toString());
        args[2] = script;
        return { args, mapReply: (reply) => (Buffer.isBuffer(reply) ? Buffer.from(originalSha, "latin1") : reply) };
      }
      if (sub === "EXISTS") {
        for (let i = 2; i < args.length; i++) args[i] = scripts.translate(args[i]!.toString());
      }
      return { args };
    }
    default:
      return { args };
  }
}
