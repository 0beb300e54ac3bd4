/**
 * Shared helpers: every call goes to SECRET_MANAGER_EMULATOR_HOST through
 * @google-cloud/secret-manager's SecretManagerServiceClient, pointed there the way the product
 * does it (apiEndpoint, port, insecure credentials). Notifications are read from
 * PUBSUB_EMULATOR_HOST with @google-cloud/pubsub. Each file uses its own project, each test its
 * own secret ids.
 */
import { randomBytes } from "node:crypto";
import { credentials } from "@grpc/grpc-js";
import { PubSub, v1 } from "@google-cloud/pubsub";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";

export const uid = (): string => randomBytes(5).toString("hex");

export function hostPort(variable: string): { host: string; port: number } {
  const value = process.env[variable];
  if (!value) throw new Error(`${variable} is not set (the global setup should have set it)`);
  const [host, port] = value.split(":");
  return { host: host!, port: Number(port) };
}

export type Context = {
  projectId: string;
  client: SecretManagerServiceClient;
  pubsub: PubSub;
  parent: string;
  secretName(id: string): string;
  /** Creates a secret with automatic replication (and `extra` fields); returns its name. */
  createSecret(extra?: Record<string, unknown>, id?: string): Promise<string>;
  addVersion(secret: string, value: string): Promise<string>;
  /** A topic and a pull subscription on it: `pull()` returns what arrived (acked). */
  topic(): Promise<{ name: string; pull(count: number): Promise<Received[]> }>;
  /** `POST /rotations:run[?secret=]` on the server's HTTP side. */
  runRotations(secret?: string): Promise<{ published: Array<{ eventType: string; secretId: string }> }>;
  close(): Promise<void>;
};

export type Received = { attributes: Record<string, string>; json: Record<string, unknown> };

export function setupContext(): Context {
  const projectId = `demo-smconf-${uid()}`;
  const { host, port } = hostPort("SECRET_MANAGER_EMULATOR_HOST");
  const client = new SecretManagerServiceClient({ apiEndpoint: host, port, sslCreds: credentials.createInsecure(), projectId });
  const pubsub = new PubSub({ projectId });
  const parent = `projects/${projectId}`;
  const ctx: Context = {
    projectId,
    client,
    pubsub,
    parent,
    secretName: (id) => `${parent}/secrets/${id}`,
    async createSecret(extra = {}, id = `s-${uid()}`) {
      const [secret] = await client.createSecret({ parent, secretId: id, secret: { replication: { automatic: {} }, ...extra } });
      return secret.name!;
    },
    async addVersion(secret, value) {
      const [version] = await client.addSecretVersion({ parent: secret, payload: { data: Buffer.from(value) } });
      return version.name!;
    },
    async topic() {
      const [topic] = await pubsub.createTopic(`t-${uid()}`);
      const [subscription] = await topic.createSubscription(`sub-${uid()}`);
      const subscriber = new v1.SubscriberClient(gapic(pubsub));
      return {
        name: topic.name,
        async pull(count) {
          const out: Received[] = [];
          const deadline = Date.now() + 8000;
          while (out.length < count && Date.now() < deadline) {
            const [res] = await subscriber.pull({ subscription: subscription.name, maxMessages: 50 });
            const messages = res.receivedMessages ?? [];
            if (messages.length) await subscriber.acknowledge({ subscription: subscription.name, ackIds: messages.map((m) => m.ackId!) });
            for (const m of messages) out.push({ attributes: { ...(m.message?.attributes ?? {}) }, json: JSON.parse(Buffer.from(m.message!.data as Uint8Array).toString("utf8")) as Record<string, unknown> });
          }
          await subscriber.close();
          return out;
        },
      };
    },
    async runRotations(secret) {
      const res = await fetch(`http://${host}:${port}/rotations:run${secret ? `?secret=${encodeURIComponent(secret)}` : ""}`, { method: "POST" });
      return (await res.json()) as { published: Array<{ eventType: string; secretId: string }> };
    },
    async close() {
      await client.close();
      await pubsub.close();
    },
  };
  return ctx;
}

type GapicOptions = NonNullable<ConstructorParameters<typeof v1.SubscriberClient>[0]>;

function gapic(pubsub: PubSub): GapicOptions {
  const { port, ...rest } = pubsub.options;
  return { ...rest, port: port === undefined ? undefined : Number(port) } as GapicOptions;
}

/** The gRPC status code of a rejected call. */
export async function codeOf(promise: Promise<unknown>): Promise<number | "ok"> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

export const Code = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, ABORTED: 10, UNIMPLEMENTED: 12 } as const;
