/**
 * Which event triggers declare `retry: true`. The emulator's /backends leaves it out, so the
 * relay asks the functions' own SDK, as `firebase deploy` does: the `firebase-functions` binary
 * with FUNCTIONS_MANIFEST_OUTPUT_PATH loads the code once in a child process and writes the
 * manifest (`endpoints.<name>.eventTrigger.retry`), then exits.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";

export type RetryManifest = Map<string, boolean>;

export async function readRetryManifest(directory: string, env: Record<string, string>, project: string): Promise<RetryManifest> {
  // The package's `exports` hide package.json and the binary, so go from its main entry.
  const main = require.resolve("firebase-functions", { paths: [directory] });
  const bin = join(main.slice(0, main.lastIndexOf(`${sep}lib${sep}`)), "lib", "bin", "firebase-functions.js");
  const dir = await mkdtemp(join(tmpdir(), "event-relay-manifest-"));
  const output = join(dir, "functions.json");
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [bin, directory],
        {
          cwd: directory,
          timeout: 60_000,
          env: { ...process.env, ...env, GCLOUD_PROJECT: project, FUNCTIONS_CONTROL_API: "true", FUNCTIONS_MANIFEST_OUTPUT_PATH: output },
        },
        (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`.trim())) : resolve()),
      );
    });
    return retriesOf(JSON.parse(await readFile(output, "utf8")));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function retriesOf(manifest: unknown): RetryManifest {
  const out: RetryManifest = new Map();
  const endpoints = typeof manifest === "object" && manifest !== null && "endpoints" in manifest ? manifest.endpoints : undefined;
  if (typeof endpoints !== "object" || endpoints === null) return out;
  for (const [name, endpoint] of Object.entries(endpoints)) {
    const trigger: unknown = typeof endpoint === "object" && endpoint !== null && "eventTrigger" in endpoint ? endpoint.eventTrigger : undefined;
    const retry = typeof trigger === "object" && trigger !== null && "retry" in trigger ? trigger.retry : false;
    out.set(name, retry === true);
  }
  return out;
}
