import fs from "node:fs";
import path from "node:path";
import { buildOpenApiDocument } from "./openapi";
import { restRoutes } from "../app/operations";
import { WEBHOOK_EVENT_TYPES, webhookEventDocs } from "../webhooks/webhook-catalog";

const generated = () => buildOpenApiDocument(restRoutes(), { version: "1.0.0", serverUrl: "http://127.0.0.1:5001/demo-rag-prompt-library/us-central1/api", webhooks: webhookEventDocs() });

describe("OpenAPI document", () => {
  it("describes every REST route with a unique operation id, its rate-limit policy, and the scope of every workspace route", () => {
    const doc = generated();
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods) as Array<{ operationId: string; "x-required-scope": string }>);

    expect(operations).toHaveLength(restRoutes().length);
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
    const scoped = Object.entries(doc.paths).filter(([path]) => path.includes("{workspaceId}")).flatMap(([, methods]) => Object.values(methods) as Array<{ "x-required-scope"?: string }>);
    expect(scoped.every((op) => op["x-required-scope"])).toBe(true);
  });

  it("lists every webhook event type under `webhooks`, its payload schema as the request body", () => {
    const webhooks = generated().webhooks ?? {};
    expect(Object.keys(webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    const completed = webhooks["execution.completed"] as { post: { requestBody: { content: { "application/json": { schema: { properties: Record<string, { const?: string; required?: string[] }> } } } } } };
    const schema = completed.post.requestBody.content["application/json"].schema;
    expect(schema.properties.type?.const).toBe("execution.completed");
    expect(schema.properties.data?.required).toEqual(expect.arrayContaining(["workspaceId", "executionId", "promptId", "version"]));
  });

  it("is the document committed in docs/openapi.json (regenerate with `npm run openapi`)", () => {
    const committed = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../docs/openapi.json"), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(generated())));
  });
});
