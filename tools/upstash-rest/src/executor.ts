/**
 * Runs the three Upstash request shapes against Redis and builds their JSON answers:
 * - a single command (`POST /`):           200 `{"result":…}` or 400 `{"error":"ERR …"}`;
 * - a pipeline (`POST /pipeline`):         200 `[{"result":…} | {"error":…}, …]`, one failing
 *   command does not fail the others; all commands go out back-to-back on the shared connection;
 * - a transaction (`POST /multi-exec`):    MULTI, the commands and EXEC written contiguously on a
 *   connection reserved for transactions; 200 with per-command results/errors, or 400 if Redis
 *   discarded the transaction (nothing ran).
 * `RedisUnavailableError` propagates (the server turns it into 503).
 */
import { prepareCommand, toArgs, type PreparedCommand } from "./commands";
import type { RedisConnection } from "./redis-connection";
import { encodeResultItem } from "./reply-encoding";
import { ErrorReply, type Arg, type Reply } from "./resp";
import type { ScriptShaMap } from "./script-rewrite";

export interface Answer {
  status: number;
  body: string;
}

const errorAnswer = (status: number, message: string): Answer => ({ status, body: JSON.stringify({ error: message }) });

export class Executor {
  constructor(
    private readonly shared: RedisConnection,
    private readonly transactions: RedisConnection,
    private readonly scripts: ScriptShaMap,
  ) {}

  /** One command as JSON (`POST /`). */
  single(command: unknown, base64: boolean): Promise<Answer> {
    const args = toArgs(command);
    if (args instanceof ErrorReply) return Promise.resolve(errorAnswer(400, args.message));
    return this.singleArgs(args, base64);
  }

  /** One command already split into arguments (the path form, `/set/key/value`). */
  async singleArgs(args: Arg[], base64: boolean): Promise<Answer> {
    const prepared = prepareCommand(args, this.scripts);
    if (prepared instanceof ErrorReply) return errorAnswer(400, prepared.message);
    const [raw] = await this.shared.send([prepared.args]);
    const reply = applyMap(prepared, raw!);
    if (reply instanceof ErrorReply) return errorAnswer(400, reply.message);
    return { status: 200, body: encodeResultItem(reply, base64) };
  }

  async pipeline(commands: unknown, base64: boolean): Promise<Answer> {
    if (!Array.isArray(commands)) return errorAnswer(400, "ERR a pipeline must be a JSON array of commands");
    const prepared = commands.map((c: unknown) => this.prepare(c));
    const toSend: Arg[][] = [];
    for (const p of prepared) if (!(p instanceof ErrorReply)) toSend.push(p.args);
    const replies = await this.shared.send(toSend);
    let next = 0;
    const items = prepared.map((p) => encodeResultItem(p instanceof ErrorReply ? p : applyMap(p, replies[next++]!), base64));
    return { status: 200, body: `[${items.join(",")}]` };
  }

  async multiExec(commands: unknown, base64: boolean): Promise<Answer> {
    if (!Array.isArray(commands)) return errorAnswer(400, "ERR a transaction must be a JSON array of commands");
    const prepared: PreparedCommand[] = [];
    for (const c of commands) {
      const p = this.prepare(c);
      // Refused or malformed: reject the whole transaction before anything runs.
      if (p instanceof ErrorReply) return errorAnswer(400, p.message);
      prepared.push(p);
    }
    const replies = await this.transactions.send([["MULTI"], ...prepared.map((p) => p.args), ["EXEC"]]);
    const exec = replies[replies.length - 1]!;
    if (!Array.isArray(exec)) {
      const queueError = replies.slice(1, -1).find((r): r is ErrorReply => r instanceof ErrorReply);
      const message = exec instanceof ErrorReply ? exec.message : "EXECABORT Transaction aborted.";
      return errorAnswer(400, queueError ? `${message} First error: ${queueError.message}` : message);
    }
    const items = exec.map((reply, i) => encodeResultItem(applyMap(prepared[i]!, reply), base64));
    return { status: 200, body: `[${items.join(",")}]` };
  }

  private prepare(command: unknown): PreparedCommand | ErrorReply {
    const args = toArgs(command);
    if (args instanceof ErrorReply) return args;
    return prepareCommand(args, this.scripts);
  }
}

function applyMap(prepared: PreparedCommand, reply: Reply): Reply {
  return prepared.mapReply && !(reply instanceof ErrorReply) ? prepared.mapReply(reply) : reply;
}
