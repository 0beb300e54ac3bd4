import type { CallableOptions, HttpsOptions } from "firebase-functions/v2/https";
import { params } from "../lib/config";

/** Options every HTTPS callable shares; wrappers add secrets, memory or App Check per function. */
export const callableOptions: CallableOptions = {
  region: params.region,
  secrets: [params.upstashRedisRestToken],
  enforceAppCheck: params.enforceAppCheck,
  cors: true,
};

export const httpsOptions: HttpsOptions = {
  region: params.region,
  secrets: [params.upstashRedisRestToken],
};
