/**
 * gRPC handlers of google.cloud.secretmanager.v1.SecretManagerService. Each modifying call
 * publishes its notification before answering, so a test that sees the answer also finds the
 * message on the topic. IAM and managed-rotation RPCs are not implemented (UNIMPLEMENTED).
 */
import type * as grpc from "@grpc/grpc-js";
import { crc32c } from "./crc32c";
import { unimplemented } from "./errors";
import type { Notifier } from "./notifications";
import { paginate } from "./paging";
import { unary } from "./rpc";
import type { Notification, SecretStore } from "./store";
import type { FieldMask, Secret, SecretPayload, SecretVersion, VersionState } from "./types";

type ListRequest = { parent?: string; page_size?: number; page_token?: string; filter?: string };

/** Only `state:ENABLED|DISABLED|DESTROYED` is understood; production's full filter language is not. */
function stateFilter(filter: string | undefined): VersionState | undefined {
  if (!filter) return undefined;
  const m = /^state\s*[:=]\s*(ENABLED|DISABLED|DESTROYED)$/.exec(filter.trim());
  if (!m) throw unimplemented(`Filter [${filter}] is not supported by this local server (only state:<STATE>).`);
  return m[1] as VersionState;
}

export function secretManagerHandlers(store: SecretStore, notifier: Notifier): grpc.UntypedServiceImplementation {
  const notify = async (notification: Notification): Promise<void> => notifier.publish(notification, store.now());
  return {
    ListSecrets: unary((req: ListRequest) => {
      if (req.filter) throw unimplemented("Secret filters are not supported by this local server.");
      const all = store.list(req.parent);
      const page = paginate(all, (s) => s.name!, req.page_size, req.page_token);
      return { secrets: page.items, next_page_token: page.next_page_token, total_size: all.length };
    }),
    CreateSecret: unary(async (req: { parent?: string; secret_id?: string; secret?: Secret }) => {
      const { secret, notification } = store.create(req.parent, req.secret_id, req.secret);
      await notify(notification);
      return secret;
    }),
    GetSecret: unary((req: { name?: string }) => store.requireSecret(req.name).resource),
    UpdateSecret: unary(async (req: { secret?: Secret; update_mask?: FieldMask }) => {
      const { secret, notification } = store.update(req.secret, req.update_mask);
      await notify(notification);
      return secret;
    }),
    DeleteSecret: unary(async (req: { name?: string; etag?: string }) => {
      await notify(store.delete(req.name, req.etag));
      return {};
    }),
    AddSecretVersion: unary(async (req: { parent?: string; payload?: SecretPayload }) => {
      const { version, notification } = store.addVersion(req.parent, req.payload);
      await notify(notification);
      return version;
    }),
    ListSecretVersions: unary((req: ListRequest) => {
      const state = stateFilter(req.filter);
      const all = store.versionsOf(req.parent).filter((v) => !state || v.state === state);
      // Newest first, as production lists them: page tokens carry the position, not the name.
      const page = paginate(
        all.map((v, i) => ({ v, key: String(i).padStart(8, "0") })),
        (x) => x.key,
        req.page_size,
        req.page_token,
      );
      return { versions: page.items.map((x) => x.v), next_page_token: page.next_page_token, total_size: all.length };
    }),
    GetSecretVersion: unary((req: { name?: string }) => store.resolve(req.name).version.resource),
    AccessSecretVersion: unary((req: { name?: string }) => {
      const { name, data } = store.access(req.name);
      return { name, payload: { data, data_crc32c: String(crc32c(data)) } };
    }),
    DisableSecretVersion: unary(async (req: { name?: string; etag?: string }) => versionChange(store.setState(req.name, req.etag, "DISABLED"))),
    EnableSecretVersion: unary(async (req: { name?: string; etag?: string }) => versionChange(store.setState(req.name, req.etag, "ENABLED"))),
    DestroySecretVersion: unary(async (req: { name?: string; etag?: string }) => versionChange(store.setState(req.name, req.etag, "DESTROYED"))),
  };

  async function versionChange(change: { version: SecretVersion; notification: Notification }): Promise<SecretVersion> {
    await notify(change.notification);
    return change.version;
  }
}
