/** The command line of a local server: flags, one ready line, a clean exit on SIGINT/SIGTERM. */

/** `--name value` or `--name=value`; `fallback` when absent. */
export function cliArg(name: string, fallback: string, argv: readonly string[] = process.argv): string {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0 && argv[i + 1]) return argv[i + 1]!;
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}

/** Every value of a repeatable flag (`--signing-key a --signing-key=b`). */
export function cliArgs(name: string, argv: readonly string[] = process.argv): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === `--${name}` && argv[i + 1]) out.push(argv[i + 1]!);
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
  });
  return out;
}

/**
 * Starts a server, prints `readyLine(server)` (the local stack waits for it), and closes it on
 * SIGINT/SIGTERM, exiting 0 when it closed cleanly. A failure to start exits 1.
 */
export function serveFromCli<S extends { close(): Promise<void> }>(start: () => Promise<S>, readyLine: (server: S) => string): void {
  start().then(
    (server) => {
      console.log(readyLine(server));
      let closing = false;
      const shutdown = (): void => {
        if (closing) return;
        closing = true;
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
