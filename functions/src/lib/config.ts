import { defineBoolean, defineSecret, defineString } from "firebase-functions/params";
import { z } from "zod";

const INGRESS_SETTINGS = ["ALLOW_ALL", "ALLOW_INTERNAL_AND_GCLB", "ALLOW_INTERNAL_ONLY"] as const;

/**
 * Deploy-time settings. Values come from `functions/.env.<project>` / `.env.local` (or the
 * deploy prompt); secrets from Secret Manager (in the emulator, `functions/.secret.local`).
 */
export const params = {
  region: defineString("FUNCTIONS_REGION", {
    default: "us-central1",
    description: "Region the functions deploy to.",
  }),
  upstashRedisRestUrl: defineString("UPSTASH_REDIS_REST_URL", {
    default: "",
    description: "Upstash Redis REST URL. Empty runs rate limits and cache in memory only.",
  }),
  upstashRedisRestToken: defineSecret("UPSTASH_REDIS_REST_TOKEN"),
  // Read at deploy (ingressSettings takes no expression): see `runtimeEnv().API_INGRESS`.
  apiIngress: defineString("API_INGRESS", {
    default: "ALLOW_ALL",
    input: { select: { options: INGRESS_SETTINGS.map((value) => ({ value })) } },
    description: "Where the REST `api` function accepts traffic from. ALLOW_INTERNAL_AND_GCLB in production, behind a load balancer with Cloud Armor (docs/security.md).",
  }),
  enforceAppCheck: defineBoolean("ENFORCE_APP_CHECK", {
    default: false,
    description: "Refuse callable requests without a valid App Check token.",
  }),
};

const runtimeEnvSchema = z.object({
  FIRESTORE_EMULATOR_HOST: z.string().optional(),
  FUNCTIONS_EMULATOR: z.string().optional(),
  GCLOUD_PROJECT: z.string().optional(),
  /** Emulator only: a service-account key file the local Storage server trusts, so upload URLs are signed locally as in production. */
  LOCAL_SIGNING_KEY_FILE: z.string().optional(),
  /**
   * Ingress of the REST `api` function. Set in `functions/.env.<project>` (the deploy reads the
   * code's options with that file loaded); ALLOW_ALL keeps the emulator reachable. @default "ALLOW_ALL"
   */
  API_INGRESS: z.enum(INGRESS_SETTINGS).default("ALLOW_ALL"),
  /**
   * `host:port` of a Secret Manager server (our convention: Google ships no emulator; the local
   * stack runs tools/secret-manager-server). Unset: the real service.
   */
  SECRET_MANAGER_EMULATOR_HOST: z.string().regex(/^[^:/\s]+:\d+$/, "Must be host:port").optional(),
  /** Emulator only: the `.secret.local` runtime secrets are read from. @default "<cwd>/.secret.local" */
  SECRETS_LOCAL_FILE: z.string().optional(),
  /** How long a Redis call may take before the caller falls back. @default 250 */
  REDIS_TIMEOUT_MS: z.coerce.number().int().positive().max(10_000).default(250),
});

export type RuntimeEnv = z.infer<typeof runtimeEnvSchema>;

let cachedEnv: RuntimeEnv | undefined;

/** Non-param environment, parsed once; fails fast naming the bad setting. */
export function runtimeEnv(source: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  if (source === process.env && cachedEnv) return cachedEnv;
  const parsed = runtimeEnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid environment setting ${issue?.path.join(".")}: ${issue?.message}`);
  }
  if (source === process.env) cachedEnv = parsed.data;
  return parsed.data;
}

/**
 * Reads a secret param. The runtime exposes bound secrets as environment variables; an unbound
 * or unset one reads as "" (callers treat that as "not configured") instead of logging a warning.
 */
export function secretValue(secret: ReturnType<typeof defineSecret>): string {
  return process.env[secret.name] ? secret.value() : "";
}
