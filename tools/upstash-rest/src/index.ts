export { startUpstashRestServer, type UpstashRestOptions, type UpstashRestServer } from "./server";
export { rewriteScript } from "./script-rewrite";
