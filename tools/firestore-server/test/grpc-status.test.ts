/**
 * Streaming RPC failures must reach the client as a gRPC status (the SDK retries transactions
 * on ABORTED from a read stream, and surfaces INVALID_ARGUMENT). Talks raw gRPC to an
 * in-process server, so it exercises this server only.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as path from "node:path";
import { startFirestoreServer, type RunningServer } from "../src";

let server: RunningServer;
let client: grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientReadableStream<unknown>>;

beforeAll(async () => {
  server = await startFirestoreServer({ port: 0 });
  const def = protoLoader.loadSync("google/firestore/v1/firestore.proto", {
    includeDirs: [path.dirname(require.resolve("@google-cloud/firestore/build/protos/v1.json"))],
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    google: { firestore: { v1: { Firestore: new (addr: string, creds: grpc.ChannelCredentials) => typeof client } } };
  };
  client = new pkg.google.firestore.v1.Firestore(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await server.close();
});

function statusOf(stream: grpc.ClientReadableStream<unknown>): Promise<number> {
  return new Promise((resolve) => {
    stream.on("data", () => undefined);
    stream.on("error", (err: grpc.ServiceError) => resolve(err.code));
    stream.on("end", () => resolve(0));
  });
}

describe("gRPC status of streaming calls", () => {
  it("RunQuery with an invalid query ends with INVALID_ARGUMENT", async () => {
    const stream = client["RunQuery"]!({ parent: "projects/p/databases/(default)/documents", structuredQuery: { from: [] } });
    expect(await statusOf(stream)).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("BatchGetDocuments in an unknown transaction ends with INVALID_ARGUMENT", async () => {
    const stream = client["BatchGetDocuments"]!({
      database: "projects/p/databases/(default)",
      documents: ["projects/p/databases/(default)/documents/c/d"],
      transaction: Buffer.from("nope"),
    });
    expect(await statusOf(stream)).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("the HTTP health endpoint answers Ok on the gRPC port", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(await res.text()).toBe("Ok");
  });
});
