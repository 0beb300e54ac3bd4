/**
 * Where a Google client library's .proto files are, so a local server loads exactly the wire
 * format the real client speaks: the client's own protos, plus google/api, google/iam and
 * google/protobuf ones from the google-gax it depends on.
 */
import * as path from "node:path";

/** Decoding options the local servers rely on: snake_case keys, int64 and enums as strings, no defaults, oneofs named. */
export const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

/** `clientPackageJson`: the resolved `package.json` of the client (`require.resolve("@google-cloud/pubsub/package.json")`). */
export function clientProtoDirs(clientPackageJson: string): string[] {
  const clientRoot = path.dirname(clientPackageJson);
  // google-gax exports no package.json; its entry point is build/src/index.js.
  const gaxBuild = path.join(path.dirname(require.resolve("google-gax", { paths: [clientRoot] })), "..");
  return [path.join(clientRoot, "build", "protos"), path.join(gaxBuild, "protos")];
}
