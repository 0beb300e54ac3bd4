import { randomBytes } from "node:crypto";
import type { KeyRing } from "../lib/secrets";
import { createFieldCipher, FieldDecryptionError, type DecryptionFailure } from "./field-cipher";
import { createFieldSealer } from "./sealed-fields";

/** Versions of a key-encryption key as Secret Manager would hold them: any can be disabled, one is current. */
function versionedRing() {
  const versions = new Map<string, Buffer>([["1", randomBytes(32)]]);
  let current = "1";
  const ring: KeyRing = {
    current: async () => ({ version: current, key: versions.get(current)! }),
    version: async (v) => {
      const key = versions.get(v);
      if (!key) throw new Error(`version ${v} is disabled`);
      return key;
    },
  };
  return {
    ring,
    rotate() {
      current = String(Number(current) + 1);
      versions.set(current, randomBytes(32));
    },
    disable: (v: string) => versions.delete(v),
  };
}

async function failure(promise: Promise<unknown>): Promise<DecryptionFailure | "opened"> {
  try {
    await promise;
    return "opened";
  } catch (error) {
    if (!(error instanceof FieldDecryptionError)) throw error;
    return error.reason;
  }
}

const CONTEXT = "workspaces/w1/executions/e1#output";
const PLAINTEXT = "Jane Doe, 12 Rue de la Paix, +33 6 12 34 56 78";

describe("field encryption (envelope, AES-256-GCM)", () => {
  it("round-trips and names the key version; the same value seals differently each time", async () => {
    const { ring } = versionedRing();
    const cipher = createFieldCipher({ keys: ring });
    const a = await cipher.seal(PLAINTEXT, CONTEXT);
    const b = await cipher.seal(PLAINTEXT, CONTEXT);
    expect(a).toMatch(/^pii1\.1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(cipher.keyVersionOf(a)).toBe("1");
    expect(await cipher.open(a, CONTEXT)).toBe(PLAINTEXT);
  });

  it("refuses a tampered token: a flipped bit in the value or in the wrapped data key", async () => {
    const cipher = createFieldCipher({ keys: versionedRing().ring });
    const token = await cipher.seal(PLAINTEXT, CONTEXT);
    const [prefix, version, wrapped, payload] = token.split(".") as [string, string, string, string];
    const flip = (part: string, at: number) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[at] = bytes[at]! ^ 1;
      return bytes.toString("base64url");
    };
    expect(await failure(cipher.open([prefix, version, wrapped, flip(payload, 14)].join("."), CONTEXT))).toBe("authentication-failed");
    expect(await failure(cipher.open([prefix, version, flip(wrapped, 20), payload].join("."), CONTEXT))).toBe("authentication-failed");
  });

  it("refuses a token moved to another document or field (the context is authenticated)", async () => {
    const cipher = createFieldCipher({ keys: versionedRing().ring });
    const token = await cipher.seal(PLAINTEXT, CONTEXT);
    expect(await failure(cipher.open(token, "workspaces/w1/executions/e2#output"))).toBe("authentication-failed");
    expect(await failure(cipher.open(token, "workspaces/w1/executions/e1#variablesJson"))).toBe("authentication-failed");
  });

  it("refuses a token under a wrong key", async () => {
    const token = await createFieldCipher({ keys: versionedRing().ring }).seal(PLAINTEXT, CONTEXT);
    expect(await failure(createFieldCipher({ keys: versionedRing().ring }).open(token, CONTEXT))).toBe("authentication-failed");
  });

  it("refuses a truncated token, whatever is cut", async () => {
    const cipher = createFieldCipher({ keys: versionedRing().ring });
    const token = await cipher.seal(PLAINTEXT, CONTEXT);
    expect(await failure(cipher.open(token.slice(0, -6), CONTEXT))).toBe("authentication-failed");
    expect(await failure(cipher.open(token.slice(0, token.lastIndexOf(".") + 20), CONTEXT))).toBe("malformed");
    expect(await failure(cipher.open(token.split(".").slice(0, 3).join("."), CONTEXT))).toBe("malformed");
    expect(await failure(cipher.open("pii1.1..", CONTEXT))).toBe("malformed");
  });

  it("after a rotation, old tokens still open, new ones name the new version, and a rewrap moves an old token without changing its value", async () => {
    const keys = versionedRing();
    const cipher = createFieldCipher({ keys: keys.ring });
    const old = await cipher.seal(PLAINTEXT, CONTEXT);
    keys.rotate();
    expect(await cipher.open(old, CONTEXT)).toBe(PLAINTEXT);
    expect(cipher.keyVersionOf(await cipher.seal(PLAINTEXT, CONTEXT))).toBe("2");
    const rewrapped = await cipher.rewrap(old, CONTEXT);
    expect(cipher.keyVersionOf(rewrapped)).toBe("2");
    expect(rewrapped.split(".")[3]).toBe(old.split(".")[3]);
    expect(await cipher.rewrap(rewrapped, CONTEXT)).toBe(rewrapped);
    keys.disable("1");
    expect(await failure(cipher.open(old, CONTEXT))).toBe("key-unavailable");
    expect(await cipher.open(rewrapped, CONTEXT)).toBe(PLAINTEXT);
  });

  it("says which field failed and why, never the value", async () => {
    const keys = versionedRing();
    const cipher = createFieldCipher({ keys: keys.ring });
    const token = await cipher.seal(PLAINTEXT, CONTEXT);
    keys.disable("1");
    const error = (await cipher.open(token, CONTEXT).then(
      () => null,
      (e: unknown) => e,
    )) as FieldDecryptionError;
    expect(error).toBeInstanceOf(FieldDecryptionError);
    expect(error.code).toBe("internal");
    expect(error.message).toBe(`Encrypted field ${CONTEXT} could not be decrypted (key-unavailable, key version 1).`);
    expect(JSON.stringify(error)).not.toContain("Jane");
  });
});

describe("sealed fields of a stored record", () => {
  const sealer = createFieldSealer(createFieldCipher({ keys: versionedRing().ring }));
  const path = "workspaces/w1/executions/e1";

  it("seals the listed string fields, marks them, and opens them back", async () => {
    const sealed = await sealer.seal(path, { output: PLAINTEXT, variablesJson: '{"name":"Jane"}', status: "completed" }, ["output", "variablesJson"]);
    expect(sealed.sealedFields).toEqual(["output", "variablesJson"]);
    expect(JSON.stringify(sealed)).not.toContain("Jane");
    expect(await sealer.open(path, sealed)).toEqual({ output: PLAINTEXT, variablesJson: '{"name":"Jane"}', status: "completed" });
  });

  it("reads a record written before encryption as it is, and a sealed field blanked in plaintext later (a redaction) too", async () => {
    expect(await sealer.open(path, { output: "pii1.1.looks.like-a-token" })).toEqual({ output: "pii1.1.looks.like-a-token" });
    const sealed = await sealer.seal(path, { output: PLAINTEXT, variablesJson: "{}" }, ["output", "variablesJson"]);
    expect(await sealer.open(path, { ...sealed, output: "" })).toEqual({ output: "", variablesJson: "{}" });
  });
});
