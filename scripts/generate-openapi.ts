// Writes docs/openapi.json from the operation declarations (`npm run openapi`).
import fs from "node:fs";
import path from "node:path";
import { buildOpenApiDocument } from "../functions/src/api/openapi";
import { restRoutes } from "../functions/src/app/operations";
import { webhookEventDocs } from "../functions/src/webhooks/webhook-catalog";

const doc = buildOpenApiDocument(restRoutes(), { version: "1.0.0", serverUrl: "http://127.0.0.1:5001/demo-rag-prompt-library/us-central1/api", webhooks: webhookEventDocs() });
const target = path.resolve(__dirname, "../docs/openapi.json");
fs.writeFileSync(target, `${JSON.stringify(doc, null, 2)}\n`);
console.log(`Wrote ${target}: ${Object.keys(doc.paths).length} paths, ${Object.keys(doc.webhooks ?? {}).length} webhook events.`);
