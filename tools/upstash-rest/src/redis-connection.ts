/**
 * One pipelined connection to Redis.
 *
 * - `send(batch)` writes a whole batch of commands in ONE socket write and resolves with their
 *   replies in order (Redis errors are values, not rejections). Because Node keeps writes in
 *   order and Redis answers a connection's commands in order, concurrent batches never
 *   interleave: a MULTI ... EXEC batch is contiguous on the wire.
 * - It connects lazily and reconnects on demand: when Redis is unreachable a batch fails fast
 *   with `RedisUnavailableError` (one connect attempt at a time, bounded by `connectTimeoutMs`),
 *   and the next request tries again, so the endpoint recovers by itself when Redis comes back.
 * - If Redis stops answering while commands are outstanding for `commandTimeoutMs`, the socket
 *   is dropped and those commands fail with `RedisUnavailableError` rather than hang.
 */
import net from "node:net";
import tls from "node:tls";
import { encodeCommands, ErrorReply, RespParser, type Arg, type Reply } from "./resp";
import type { RedisTarget } from "./redis-url";

export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

export interface ConnectionOptions {
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

interface Batch {
  replies: Reply[];
  expected: number;
  resolve: (replies: Reply[]) => void;
  reject: (error: Error) => void;
}

interface Waiting {
  payload: Buffer;
  batch: Batch;
}

export class RedisConnection {
  private socket: net.Socket | null = null;
  private ready = false;
  private closed = false;
  /** Batches written to the socket, awaiting replies (FIFO). */
  private inFlight: Batch[] = [];
  private inFlightHead = 0;
  /** Batches queued while the connection is being established. */
  private waiting: Waiting[] = [];
  private readonly parser = new RespParser((reply) => this.onReply(reply));
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;

  constructor(
    private readonly target: RedisTarget,
    options: ConnectionOptions = {},
  ) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 15_000;
  }

  /** Sends the commands back-to-back; resolves with one reply per command, in order. */
  send(commands: readonly (readonly Arg[])[]): Promise<Reply[]> {
    if (this.closed) return Promise.reject(new RedisUnavailableError("connection closed"));
    if (commands.length === 0) return Promise.resolve([]);
    const payload = encodeCommands(commands);
    return new Promise<Reply[]>((resolve, reject) => {
      const batch: Batch = { replies: [], expected: commands.length, resolve, reject };
      if (this.ready && this.socket) {
        this.inFlight.push(batch);
        this.socket.write(payload);
      } else {
        this.waiting.push({ payload, batch });
        if (!this.socket) this.connect();
      }
    });
  }

  /** Connects now (otherwise the first `send` does); resolves once the handshake is done. */
  async ping(): Promise<void> {
    const [reply] = await this.send([["PING"]]);
    if (reply instanceof ErrorReply) throw new RedisUnavailableError(reply.message);
  }

  close(): void {
    this.closed = true;
    this.fail(new RedisUnavailableError("connection closed"));
  }

  private connect(): void {
    const { host, port, tls: useTls } = this.target;
    const socket = useTls ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const connectTimer = setTimeout(() => {
      socket.destroy(new Error(`connect timeout after ${this.connectTimeoutMs} ms`));
    }, this.connectTimeoutMs);
    socket.on(useTls ? "secureConnect" : "connect", () => {
      clearTimeout(connectTimer);
      this.handshake(socket);
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        this.parser.feed(chunk);
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on("timeout", () => {
      if (this.pendingCount() > 0) {
        socket.destroy(new Error(`Redis did not answer within ${this.commandTimeoutMs} ms`));
      }
    });
    socket.on("error", () => {
      /* reported through "close" */
    });
    socket.on("close", () => {
      clearTimeout(connectTimer);
      if (this.socket !== socket) return;
      const reason = (socket as net.Socket & { errored?: Error | null }).errored;
      this.fail(new RedisUnavailableError(`Redis unavailable: ${reason?.message ?? "connection closed"}`));
    });
  }

  /** AUTH / SELECT from the URL, then release the commands that waited for the connection. */
  private handshake(socket: net.Socket): void {
    const setup: Arg[][] = [];
    const { username, password, db } = this.target;
    if (password !== undefined) setup.push(username ? ["AUTH", username, password] : ["AUTH", password]);
    if (db) setup.push(["SELECT", String(db)]);
    socket.setTimeout(this.commandTimeoutMs);
    const release = (): void => {
      this.ready = true;
      const waiting = this.waiting;
      this.waiting = [];
      if (waiting.length === 0) return;
      for (const w of waiting) this.inFlight.push(w.batch);
      socket.write(waiting.length === 1 ? waiting[0]!.payload : Buffer.concat(waiting.map((w) => w.payload)));
    };
    if (setup.length === 0) return release();
    this.inFlight.push({
      replies: [],
      expected: setup.length,
      resolve: (replies) => {
        const error = replies.find((r): r is ErrorReply => r instanceof ErrorReply);
        if (error) socket.destroy(new Error(`handshake failed: ${error.message}`));
        else release();
      },
      reject: () => undefined,
    });
    socket.write(encodeCommands(setup));
  }

  private onReply(reply: Reply): void {
    const batch = this.inFlight[this.inFlightHead];
    if (!batch) {
      this.socket?.destroy(new Error("RESP protocol error: reply without a pending command"));
      return;
    }
    batch.replies.push(reply);
    if (batch.replies.length < batch.expected) return;
    this.inFlight[this.inFlightHead++] = undefined as unknown as Batch;
    if (this.inFlightHead > 1024 && this.inFlightHead * 2 > this.inFlight.length) {
      this.inFlight = this.inFlight.slice(this.inFlightHead);
      this.inFlightHead = 0;
    }
    batch.resolve(batch.replies);
  }

  private pendingCount(): number {
    return this.inFlight.length - this.inFlightHead;
  }

  /** Drops the socket and fails everything outstanding; the next `send` reconnects. */
  private fail(error: Error): void {
    const socket = this.socket;
    this.socket = null;
    this.ready = false;
    this.parser.reset();
    const inFlight = this.inFlight.slice(this.inFlightHead);
    const waiting = this.waiting;
    this.inFlight = [];
    this.inFlightHead = 0;
    this.waiting = [];
    if (socket && !socket.destroyed) socket.destroy();
    for (const b of inFlight) b.reject(error);
    for (const w of waiting) w.batch.reject(error);
  }
}
