/**
 * Keeps the trigger index current: polls `GET /backends` (the emulator reloads on rebuild) and,
 * whenever a backend's triggers change, re-reads its manifest for the `retry` flags.
 */
import { statSync } from "node:fs";
import { defaultBucketFrom, parseBackends } from "./backends";
import type { RetryManifest } from "./manifest";
import type { Logger, Trigger } from "./types";

export type DiscoveryOptions = {
  functionsUrl: string;
  project: string;
  defaultBucket?: string;
  fetchFn: typeof fetch;
  log: Logger;
  readManifest: (directory: string, env: Record<string, string>, project: string) => Promise<RetryManifest>;
  /** Per function name, wins over the manifest. */
  retryOverrides: Record<string, boolean>;
};

export class Discovery {
  private triggers: Trigger[] = [];
  private readonly manifests = new Map<string, { signature: string; retries: RetryManifest }>();
  private lastSignature = "";
  private failing = false;

  constructor(private readonly options: DiscoveryOptions) {}

  current(): Trigger[] {
    return this.triggers;
  }

  /** One poll; true when it reached the emulator (the index is then current). */
  async refresh(signal: AbortSignal): Promise<boolean> {
    const { functionsUrl, project, log } = this.options;
    let body: unknown;
    try {
      const res = await this.options.fetchFn(`${functionsUrl}/backends`, { signal });
      if (!res.ok) throw new Error(`GET /backends: ${res.status}`);
      body = await res.json();
    } catch (err) {
      if (!this.failing && !signal.aborted) log({ severity: "WARNING", event: "functions_unavailable", url: functionsUrl, error: String(err) });
      this.failing = true;
      return false;
    }
    if (this.failing) log({ severity: "INFO", event: "functions_available", url: functionsUrl });
    this.failing = false;
    const backends = parseBackends(body, { project, defaultBucket: (env) => this.options.defaultBucket ?? defaultBucketFrom(env, project) });
    const triggers: Trigger[] = [];
    for (const backend of backends) {
      const retries = await this.retriesFor(backend.directory, backend.env, backend.triggers);
      for (const t of backend.triggers) {
        if (t.kind === "schedule") triggers.push(t);
        else triggers.push({ ...t, retry: this.options.retryOverrides[t.name] ?? retries.get(t.name) ?? false });
      }
    }
    const signature = JSON.stringify(triggers);
    if (signature !== this.lastSignature) {
      this.lastSignature = signature;
      log({
        severity: "INFO",
        event: "triggers_discovered",
        triggers: triggers.map((t) => `${t.name} (${t.kind}${t.kind !== "schedule" && t.retry ? ", retry" : ""})`),
      });
    }
    this.triggers = triggers;
    return true;
  }

  private async retriesFor(directory: string, env: Record<string, string>, triggers: Trigger[]): Promise<RetryManifest> {
    const events = triggers.filter((t) => t.kind !== "schedule");
    // A rebuild that only flips `retry` leaves /backends unchanged; the main file's mtime does not.
    const signature = JSON.stringify([events.map((t) => t.id), mainMtime(directory)]);
    const cached = this.manifests.get(directory);
    if (cached?.signature === signature) return cached.retries;
    let retries: RetryManifest = new Map();
    if (events.length > 0 && directory) {
      try {
        retries = await this.options.readManifest(directory, env, this.options.project);
      } catch (err) {
        // Fail safe toward production's default: without the manifest no trigger retries.
        this.options.log({ severity: "WARNING", event: "manifest_unavailable", directory, error: String(err) });
      }
    }
    this.manifests.set(directory, { signature, retries });
    return retries;
  }
}

function mainMtime(directory: string): number {
  try {
    return statSync(require.resolve(directory)).mtimeMs;
  } catch {
    return 0;
  }
}
