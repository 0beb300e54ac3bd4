#!/usr/bin/env -S npx tsx
/**
 * rag-event-relay --functions http://127.0.0.1:5001 --firestore 127.0.0.1:8080
 *   --storage http://127.0.0.1:9199 --pubsub 127.0.0.1:8085 --project demo-rag-prompt-library
 *   [--port 8095] [--host 127.0.0.1] [--state-dir .local/event-relay] [--default-bucket b]
 *   [--concurrency 16]
 * Any source left out is not watched. SIGINT/SIGTERM stop it.
 */
import { parseArgs } from "node:util";
import { startEventRelay } from "./relay";

const { values } = parseArgs({
  options: {
    functions: { type: "string", default: "http://127.0.0.1:5001" },
    firestore: { type: "string" },
    storage: { type: "string" },
    pubsub: { type: "string" },
    project: { type: "string", default: process.env.GCLOUD_PROJECT ?? "demo-rag-prompt-library" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8095" },
    "state-dir": { type: "string", default: ".local/event-relay" },
    "default-bucket": { type: "string" },
    location: { type: "string" },
    // Each concurrent call of a function costs the Functions emulator a worker process of its own.
    concurrency: { type: "string", default: "16" },
  },
});

async function main(): Promise<void> {
  const relay = await startEventRelay({
    functions: values.functions,
    project: values.project,
    firestore: values.firestore,
    storage: values.storage,
    pubsub: values.pubsub,
    host: values.host,
    port: Number(values.port),
    stateDir: values["state-dir"],
    defaultBucket: values["default-bucket"],
    location: values.location,
    concurrency: Number(values.concurrency),
  });
  console.log(`event-relay listening on ${relay.url}`);
  const stop = (): void => {
    relay.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
