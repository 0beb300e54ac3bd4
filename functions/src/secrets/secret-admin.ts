import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";

/** What rotation does to Secret Manager: add a version, move aliases, disable and destroy versions. */
export type SecretAdmin = {
  /** Adds a version (creating the secret if it does not exist yet); answers its number. */
  addVersion(secretId: string, value: Buffer): Promise<string>;
  aliases(secretId: string): Promise<Record<string, string>>;
  setAliases(secretId: string, aliases: Record<string, string>): Promise<void>;
  disable(secretId: string, version: string): Promise<void>;
  destroy(secretId: string, version: string): Promise<void>;
};

type Client = Pick<SecretManagerServiceClient, "addSecretVersion" | "createSecret" | "getSecret" | "updateSecret" | "disableSecretVersion" | "destroySecretVersion">;

const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
const codeOf = (error: unknown) => (error as { code?: unknown }).code;

export function secretManagerAdmin(deps: { client: Client; projectId: string }): SecretAdmin {
  const { client } = deps;
  const secretName = (id: string) => `projects/${deps.projectId}/secrets/${id}`;
  return {
    async addVersion(secretId, value) {
      const add = async () => (await client.addSecretVersion({ parent: secretName(secretId), payload: { data: value } }))[0];
      try {
        return (await add()).name!.split("/").pop()!;
      } catch (error) {
        if (codeOf(error) !== NOT_FOUND) throw error;
        await client.createSecret({ parent: `projects/${deps.projectId}`, secretId, secret: { replication: { automatic: {} }, labels: { "managed-by": "rag-secrets" } } });
        return (await add()).name!.split("/").pop()!;
      }
    },
    async aliases(secretId) {
      try {
        const [secret] = await client.getSecret({ name: secretName(secretId) });
        return Object.fromEntries(Object.entries(secret.versionAliases ?? {}).map(([k, v]) => [k, String(v)]));
      } catch (error) {
        if (codeOf(error) === NOT_FOUND) return {};
        throw error;
      }
    },
    async setAliases(secretId, aliases) {
      await client.updateSecret({ secret: { name: secretName(secretId), versionAliases: Object.fromEntries(Object.entries(aliases).map(([k, v]) => [k, Number(v)])) }, updateMask: { paths: ["version_aliases"] } });
    },
    async disable(secretId, version) {
      try {
        await client.disableSecretVersion({ name: `${secretName(secretId)}/versions/${version}` });
      } catch (error) {
        // Already destroyed: nothing left to disable.
        if (codeOf(error) !== FAILED_PRECONDITION && codeOf(error) !== NOT_FOUND) throw error;
      }
    },
    async destroy(secretId, version) {
      try {
        await client.destroySecretVersion({ name: `${secretName(secretId)}/versions/${version}` });
      } catch (error) {
        if (codeOf(error) !== FAILED_PRECONDITION && codeOf(error) !== NOT_FOUND) throw error;
      }
    },
  };
}
