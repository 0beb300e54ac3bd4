/**
 * startEventRelay: the local stand-in for Eventarc and Cloud Scheduler. Discovers triggers from
 * the Functions emulator, follows the Firestore and Storage change feeds, subscribes to Pub/Sub
 * topics and runs cron jobs, delivering each event in its production CloudEvent encoding.
 */
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { createControlServer } from "./control-server";
import { CursorStore } from "./cursor-store";
import { Deliverer, type RetryPolicy } from "./deliverer";
import { Discovery } from "./discovery";
import { EmulatorClient } from "./emulator-client";
import { FeedRunner } from "./feed";
import { readRetryManifest, type RetryManifest } from "./manifest";
import { PubSubBridge, type PubSubBridgeOptions } from "./pubsub-bridge";
import { Scheduler } from "./scheduler";
import { SchedulerClock } from "./scheduler-clock";
import { firestoreFeed, storageFeed, type SourceContext } from "./sources";
import type { Clock, Logger, Trigger } from "./types";
import { sleep, WorkQueue } from "./work-queue";

export type EventRelayOptions = {
  /** Functions emulator, e.g. `http://127.0.0.1:5001`. */
  functions: string;
  project: string;
  /** Firestore server `host:port` or URL; omitted: no Firestore events. */
  firestore?: string;
  /** Storage server URL or `host:port`; omitted: no Storage events. */
  storage?: string;
  /** Pub/Sub server `host:port`; omitted: no Pub/Sub events. */
  pubsub?: string;
  /** @default "127.0.0.1" */
  host?: string;
  /** Control port; 0 picks a free one. @default 8095 */
  port?: number;
  /** Where feed cursors are kept. @default ".local/event-relay" */
  stateDir?: string;
  /** `location` attribute of Firestore events. @default "us-central1" */
  location?: string;
  /** Bucket of storage triggers that name none. @default FIREBASE_CONFIG.storageBucket, else `<project>.appspot.com` */
  defaultBucket?: string;
  /** @default 2000 */
  discoveryIntervalMs?: number;
  /** Retries of Firestore/Storage deliveries to `retry: true` functions. @default { minBackoffMs: 1000, maxBackoffMs: 60000, maxAttempts: 5 } */
  retry?: Partial<Omit<RetryPolicy, "retry">>;
  /** @default { minBackoffSeconds: 10, maxBackoffSeconds: 600, deadLetter: true, maxDeliveryAttempts: 5, maxMessagesPerFunction: 10 } */
  pubsubOptions?: Partial<Omit<PubSubBridgeOptions, "host" | "project">>;
  /** Requests in flight at once, all functions together. @default 16 */
  concurrency?: number;
  /** Long-poll wait of the change feeds. @default 25000 */
  longPollMs?: number;
  /** `retry` per function name, overriding the manifest. */
  retryOverrides?: Record<string, boolean>;
  log?: Logger;
  clock?: Clock;
  fetch?: typeof fetch;
  readManifest?: (directory: string, env: Record<string, string>, project: string) => Promise<RetryManifest>;
};

export type RunningEventRelay = {
  port: number;
  url: string;
  /** Resolves once triggers were discovered and every feed has its starting cursor. */
  ready: Promise<void>;
  triggers(): Trigger[];
  close(): Promise<void>;
};

const asUrl = (v: string): string => (/^https?:\/\//.test(v) ? v : `http://${v}`).replace(/\/+$/, "");
const jsonLog: Logger = (line) => console.log(JSON.stringify({ time: new Date().toISOString(), ...line }));

export async function startEventRelay(options: EventRelayOptions): Promise<RunningEventRelay> {
  const log = options.log ?? jsonLog;
  const clock = options.clock ?? { now: () => Date.now() };
  const fetchFn = options.fetch ?? fetch;
  const abort = new AbortController();
  const signal = abort.signal;
  const cursors = await CursorStore.open(resolve(options.stateDir ?? ".local/event-relay"));
  const client = new EmulatorClient(asUrl(options.functions), options.project, fetchFn);
  const deliverer = new Deliverer(client, new WorkQueue(options.concurrency ?? 16), log, clock, signal);
  const discovery = new Discovery({
    functionsUrl: asUrl(options.functions),
    project: options.project,
    defaultBucket: options.defaultBucket,
    fetchFn,
    log,
    readManifest: options.readManifest ?? readRetryManifest,
    retryOverrides: options.retryOverrides ?? {},
  });
  const scheduler = new Scheduler(new SchedulerClock(clock), deliverer, log);
  const pubsub = options.pubsub
    ? new PubSubBridge(
        {
          host: options.pubsub,
          project: options.project,
          minBackoffSeconds: 10,
          maxBackoffSeconds: 600,
          deadLetter: true,
          maxDeliveryAttempts: 5,
          maxMessagesPerFunction: 10,
          ...options.pubsubOptions,
        },
        deliverer,
        log,
      )
    : undefined;
  const retry = { minBackoffMs: 1000, maxBackoffMs: 60_000, maxAttempts: 5, ...options.retry };
  const ctx: SourceContext = {
    project: options.project,
    location: options.location ?? "us-central1",
    fetchFn,
    deliverer,
    triggers: () => discovery.current(),
    policy: (t) => ({ ...retry, retry: t.kind !== "schedule" && t.retry }),
  };
  const feedOptions = { waitMs: options.longPollMs ?? 25_000, retryMs: 1000, maxPending: 1000 };
  const feeds = new Map<string, FeedRunner<{ seq: number }>>();
  const startFeed = (key: string, make: () => FeedRunner<{ seq: number }>): Promise<void> => {
    if (feeds.has(key)) return Promise.resolve();
    const feed = make();
    feeds.set(key, feed);
    feed.start();
    return feed.ready;
  };
  const syncFeeds = (): Promise<void> => {
    const starts: Promise<void>[] = [];
    if (options.firestore) {
      const url = asUrl(options.firestore);
      const databases = new Set(["(default)", ...discovery.current().flatMap((t) => (t.kind === "firestore" ? [t.database] : []))]);
      for (const db of databases) starts.push(startFeed(`firestore/${db}`, () => new FeedRunner(firestoreFeed(ctx, url, db), cursors, log, signal, feedOptions)));
    }
    if (options.storage) {
      const url = asUrl(options.storage);
      starts.push(startFeed("storage", () => new FeedRunner(storageFeed(ctx, url), cursors, log, signal, feedOptions)));
    }
    return Promise.all(starts).then(() => undefined);
  };
  const refresh = async (): Promise<boolean> => {
    if (!(await discovery.refresh(signal)) || signal.aborted) return false;
    scheduler.sync(discovery.current());
    await pubsub?.sync(discovery.current());
    return true;
  };

  const ready = (async () => {
    while (!signal.aborted && !(await refresh())) await sleep(options.discoveryIntervalMs ?? 2000, signal);
    await syncFeeds();
  })();
  const polling = ready.then(async () => {
    while (await sleep(options.discoveryIntervalMs ?? 2000, signal)) {
      if (await refresh()) void syncFeeds();
    }
  });

  const server = createControlServer({
    deliverer,
    scheduler,
    triggers: () => discovery.current(),
    health: () => ({ ok: true, triggers: discovery.current().length, feeds: [...feeds.keys()], scheduler: scheduler.list().length }),
  });
  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(options.port ?? 8095, options.host ?? "127.0.0.1", () => res());
  });
  const port = (server.address() as AddressInfo).port;
  log({ severity: "INFO", event: "relay_listening", url: `http://${options.host ?? "127.0.0.1"}:${port}` });

  return {
    port,
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    ready,
    triggers: () => discovery.current(),
    close: async () => {
      abort.abort();
      scheduler.stop();
      await Promise.all([ready.catch(() => undefined), polling.catch(() => undefined), ...[...feeds.values()].map((f) => f.stopped())]);
      await pubsub?.close();
      await cursors.flush();
      await new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      });
    },
  };
}
