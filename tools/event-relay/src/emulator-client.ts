/**
 * Calls one function through the Functions emulator, the way its own Firestore/Pub/Sub
 * integrations do: `POST /functions/projects/{p}/triggers/{key}` where the key of an event or
 * scheduled trigger is `<region>-<name>-<generation>` (functionsEmulator.js getTriggerKey; the
 * generation grows when background triggers are re-enabled through the hub). The answer is the
 * function's: 200 `{"status":"acknowledged"}` on success, 500 with the error message when the
 * handler throws, 204 while background triggers are disabled.
 */
import type { BinaryCloudEvent, TriggerBase } from "./types";

export type InvokeRequest = { headers: Record<string, string>; body: string | Buffer };
export type InvokeResult = { status: number; body: string };

/** Headers and body of a binary-mode CloudEvent as the emulator reads them. */
export function cloudEventRequest(event: BinaryCloudEvent): InvokeRequest {
  const headers: Record<string, string> = {
    "ce-specversion": "1.0",
    "ce-id": event.id,
    "ce-type": event.type,
    "ce-source": event.source,
    "ce-time": event.time,
    "content-type": event.contentType,
  };
  if (event.subject) headers["ce-subject"] = event.subject;
  for (const [k, v] of Object.entries(event.extensions)) headers[`ce-${k}`] = v;
  // handleHttpsTrigger base64-decodes protobuf bodies (the Firestore emulator sends them so).
  const body = event.contentType.includes("application/protobuf") ? event.body.toString("base64") : event.body;
  return { headers, body };
}

const VALID_FUNCTIONS = /valid functions are: (.*)$/s;

export class EmulatorClient {
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly project: string,
    private readonly fetchFn: typeof fetch,
  ) {}

  async invoke(trigger: TriggerBase, request: InvokeRequest, signal: AbortSignal): Promise<InvokeResult> {
    const first = await this.post(this.keyOf(trigger), trigger, request, signal);
    if (first.status !== 404) return first;
    const key = this.learnKey(trigger, first.body);
    return key ? this.post(key, trigger, request, signal) : first;
  }

  private keyOf(trigger: TriggerBase): string {
    return this.keys.get(trigger.id) ?? `${trigger.id}-0`;
  }

  /** The emulator's 404 lists every trigger key: take this function's newest generation. */
  private learnKey(trigger: TriggerBase, body: string): string | undefined {
    const list = VALID_FUNCTIONS.exec(body)?.[1].split(",").map((k) => k.trim()) ?? [];
    const generation = new RegExp(`^${trigger.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)$`);
    const found = list
      .map((k) => ({ k, g: generation.exec(k)?.[1] }))
      .filter((x): x is { k: string; g: string } => x.g !== undefined)
      .sort((a, b) => Number(b.g) - Number(a.g))[0]?.k;
    if (found && found !== this.keys.get(trigger.id)) {
      this.keys.set(trigger.id, found);
      return found;
    }
    return undefined;
  }

  private async post(key: string, trigger: TriggerBase, request: InvokeRequest, signal: AbortSignal): Promise<InvokeResult> {
    const url = `${this.baseUrl}/functions/projects/${encodeURIComponent(this.project)}/triggers/${encodeURIComponent(key)}`;
    const timeout = AbortSignal.timeout((trigger.timeoutSeconds + 10) * 1000);
    const res = await this.fetchFn(url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.any([signal, timeout]),
    });
    return { status: res.status, body: await res.text() };
  }
}
