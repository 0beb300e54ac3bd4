/**
 * The few Cloud Storage JSON API calls export and import make (list, download, upload), over
 * Node's fetch against the local Storage server (or Google's emulator): `STORAGE_EMULATOR_HOST`
 * or the `storageUrl` server option, e.g. `http://127.0.0.1:9199`.
 */
import { failedPrecondition, invalidArgument, notFound, RpcError, Code } from "./errors";

export type GcsLocation = { bucket: string; path: string };

/** Splits `gs://bucket/some/path/` into its bucket and its path without slashes at the ends. */
export function parseGcsUri(uri: string): GcsLocation {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,221})(?:\/(.*))?$/.exec(uri);
  if (!m) throw invalidArgument(`Invalid Cloud Storage URI: ${uri}`);
  return { bucket: m[1]!, path: (m[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

export class GcsClient {
  constructor(private readonly baseUrl: string) {}

  static fromEnv(storageUrl: string | undefined): GcsClient {
    const url = storageUrl ?? process.env["STORAGE_EMULATOR_HOST"];
    if (!url) throw failedPrecondition("No Cloud Storage endpoint: start the server with --storage-url or STORAGE_EMULATOR_HOST.");
    return new GcsClient((/^https?:\/\//.test(url) ? url : `http://${url}`).replace(/\/+$/, ""));
  }

  private async check(res: Response, what: string): Promise<Response> {
    if (res.ok) return res;
    const body = await res.text().catch(() => "");
    if (res.status === 404) throw notFound(`${what}: not found`);
    throw new RpcError(Code.UNAVAILABLE, `${what}: Cloud Storage answered ${res.status} ${body.slice(0, 200)}`);
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const url = new URL(`${this.baseUrl}/storage/v1/b/${encodeURIComponent(bucket)}/o`);
      url.searchParams.set("prefix", prefix);
      if (pageToken) url.searchParams.set("pageToken", pageToken);
      const res = await this.check(await fetch(url), `list gs://${bucket}/${prefix}`);
      const page = (await res.json()) as { items?: Array<{ name: string }>; nextPageToken?: string };
      for (const item of page.items ?? []) names.push(item.name);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return names;
  }

  async download(bucket: string, name: string): Promise<Buffer> {
    const res = await this.check(await fetch(`${this.baseUrl}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}?alt=media`), `read gs://${bucket}/${name}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async upload(bucket: string, name: string, body: Buffer, contentType: string): Promise<void> {
    const url = `${this.baseUrl}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=media&name=${encodeURIComponent(name)}`;
    await this.check(await fetch(url, { method: "POST", headers: { "content-type": contentType }, body }), `write gs://${bucket}/${name}`);
  }
}
