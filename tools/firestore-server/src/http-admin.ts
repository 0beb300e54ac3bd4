/**
 * The HTTP side of the port, mirroring the official emulator's REST helpers:
 *   GET  /                                                      -> "Ok" (health)
 *   DELETE /emulator/v1/projects/{p}/databases/{d}/documents    -> clears that database, `{}`
 */
import * as http from "node:http";
import type { Engine } from "./engine";

const CLEAR_RE = /^\/emulator\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/documents\/?$/;

export function createHttpServer(engine: Engine): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const clear = CLEAR_RE.exec(url.pathname);
    if (req.method === "DELETE" && clear) {
      engine.clear(decodeURIComponent(clear[1]!), decodeURIComponent(clear[2]!));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    if (req.method === "GET" && url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/plain" }).end("Ok");
      return;
    }
    // Rules are not enforced (server SDKs bypass them anyway); accept rule uploads.
    if (req.method === "PUT" && /:securityRules$/.test(url.pathname)) {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: 404, message: "Not found" } }));
  });
}
