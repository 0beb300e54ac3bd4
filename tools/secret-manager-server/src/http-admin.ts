/**
 * The HTTP side of the port:
 *   GET    /                              -> "Ok" (health)
 *   PUT    /reset                         -> clears every project (tests)
 *   DELETE /emulator/v1/projects/{p}      -> clears one project
 *   POST   /rotations:run                 -> publishes SECRET_ROTATE for every secret whose
 *                                             next_rotation_time has passed (what Cloud does at that time)
 *   POST   /rotations:run?secret={name}   -> publishes SECRET_ROTATE for that secret now
 * Answers of the rotation routes: `{"published":[{"eventType","secretId"}]}`.
 */
import * as http from "node:http";
import { RpcError } from "./errors";
import type { SecretStore } from "./store";

const PROJECT_RE = /^\/emulator\/v1\/projects\/([^/]+)\/?$/;

export function createHttpServer(store: SecretStore, runDue: (force?: string) => Promise<Array<{ eventType: string; secretId: string }>>): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? "/", "http://localhost");
    const json = (status: number, body: unknown): void => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const project = PROJECT_RE.exec(url.pathname);
    if (req.method === "DELETE" && project) {
      store.resetProject(decodeURIComponent(project[1]!));
      return json(200, {});
    }
    if ((req.method === "PUT" || req.method === "POST") && url.pathname === "/reset") {
      store.reset();
      res.writeHead(200, { "content-type": "text/plain" }).end("Ok");
      return;
    }
    if (req.method === "POST" && url.pathname === "/rotations:run") {
      runDue(url.searchParams.get("secret") ?? undefined).then(
        (published) => json(200, { published }),
        (error: unknown) => json(error instanceof RpcError ? (error.code === 5 ? 404 : 400) : 500, { error: { message: error instanceof Error ? error.message : String(error) } }),
      );
      return;
    }
    if (req.method === "GET" && url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/plain" }).end("Ok");
      return;
    }
    json(404, { error: { code: 404, message: "Not found" } });
  });
}
