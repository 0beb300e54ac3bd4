import { defineString } from "firebase-functions/params";
import { z } from "zod";
import type { Plan } from "../identity/payer";
import { FailedPreconditionError, ValidationError } from "../lib/errors";
import { LOCAL_GENERATION_MODEL } from "../providers/local-provider";

/** Every model with a price (`"*"`), or the named models only. */
export type ModelAllowlist = Record<Plan, "*" | readonly string[]>;

/**
 * Which models each plan may run, declared once. Free runs the local model and the cheapest
 * priced one; paid plans run every model the provider has a price for. A model without a price is
 * refused on every plan, whatever the list says: a run nobody can price cannot be bounded.
 */
export const DEFAULT_MODEL_ALLOWLIST: ModelAllowlist = {
  free: [LOCAL_GENERATION_MODEL, "gpt-4o-mini"],
  pro: "*",
  enterprise: "*",
};

export const modelAllowlistParam = defineString("MODEL_ALLOWLIST_JSON", {
  default: "",
  description: 'Models each plan may run, merged over the defaults, e.g. {"free":["local-extractive-1"],"pro":["gpt-4o-mini","gpt-4o"],"enterprise":"*"}; "*" means every priced model.',
});

const listSchema = z.union([z.literal("*"), z.array(z.string().trim().min(1).max(200)).max(200)]);
const overrideSchema = z.strictObject({ free: listSchema.optional(), pro: listSchema.optional(), enterprise: listSchema.optional() });

/** Parses MODEL_ALLOWLIST_JSON over the defaults (plan by plan), failing fast with the setting's name. */
export function parseModelAllowlist(json: string, base: ModelAllowlist = DEFAULT_MODEL_ALLOWLIST): ModelAllowlist {
  if (!json.trim()) return base;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error("Invalid MODEL_ALLOWLIST_JSON: not JSON");
  }
  const parsed = overrideSchema.safeParse(value);
  if (!parsed.success) throw new Error(`Invalid MODEL_ALLOWLIST_JSON: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`);
  return { ...base, ...Object.fromEntries(Object.entries(parsed.data).filter(([, list]) => list !== undefined)) };
}

/**
 * Refuses a run's model before anything is called or written: a model the provider has no price
 * for (`invalid-argument`, on the `model` field), then one the payer's plan does not allow
 * (`failed-precondition`, `reason: "model-not-allowed"`: another plan would allow it).
 */
export function requireRunnableModel(args: { model: string; priced: boolean; plan: Plan; allowlist: ModelAllowlist }): void {
  const { model, plan } = args;
  if (!args.priced) {
    throw new ValidationError(`Model "${model}" has no price and cannot be run.`, [{ path: "model", message: `Model "${model}" has no price; use a priced model` }]);
  }
  const allowed = args.allowlist[plan];
  if (allowed !== "*" && !allowed.includes(model)) {
    throw new FailedPreconditionError(`Model "${model}" is not available on the ${plan} plan.`, { reason: "model-not-allowed", model, plan });
  }
}
