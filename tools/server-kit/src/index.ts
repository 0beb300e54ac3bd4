export { listenOnePort, type OnePortServer } from "./one-port";
export { cliArg, cliArgs, serveFromCli } from "./cli";
