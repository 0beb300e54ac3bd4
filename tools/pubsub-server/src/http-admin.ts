/**
 * The HTTP side of the port, mirroring the official emulator's helpers:
 *   GET    /                          -> "Ok" (health)
 *   PUT    /reset                     -> clears every project (tests)
 *   DELETE /emulator/v1/projects/{p}  -> clears one project's topics, subscriptions, snapshots
 */
import * as http from "node:http";
import type { Broker } from "./broker";

const PROJECT_RE = /^\/emulator\/v1\/projects\/([^/]+)\/?$/;

export function createHttpServer(broker: Broker): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? "/", "http://localhost");
    const project = PROJECT_RE.exec(url.pathname);
    if (req.method === "DELETE" && project) {
      broker.resetProject(decodeURIComponent(project[1]!));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    if ((req.method === "PUT" || req.method === "POST") && url.pathname === "/reset") {
      broker.reset();
      res.writeHead(200, { "content-type": "text/plain" }).end("Ok");
      return;
    }
    if (req.method === "GET" && url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/plain" }).end("Ok");
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: 404, message: "Not found" } }));
  });
}
