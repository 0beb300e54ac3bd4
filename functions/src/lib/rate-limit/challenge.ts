import { z } from "zod";

export type ChallengeContext = { identityKey: string; ip?: string };

/** Proves a client is human (or a genuine app). Pluggable: production and emulator differ. */
export type ChallengeVerifier = { verify(token: string, context: ChallengeContext): Promise<boolean> };

/** For the emulator and tests: accepts exactly one configured token. */
export function createTestChallengeVerifier(acceptedToken = "test-challenge-ok"): ChallengeVerifier {
  return { verify: async (token) => token === acceptedToken };
}

/** Refuses every token: the safe default when no verifier is configured. */
export const rejectingChallengeVerifier: ChallengeVerifier = { verify: async () => false };

const assessmentSchema = z.object({
  tokenProperties: z.object({ valid: z.boolean(), action: z.string().optional() }),
  riskAnalysis: z.object({ score: z.number() }).optional(),
});

/**
 * reCAPTCHA Enterprise: creates an assessment for the token and accepts it when it is valid, for
 * the expected action, and scores at least `minScore`. Network errors reject the token (the
 * identity stays in "challenge required"; it is fail-closed by design).
 */
export function createRecaptchaEnterpriseVerifier(options: {
  fetch: typeof fetch;
  projectId: string;
  siteKey: string;
  apiKey: string;
  /** @default "rate_limit_challenge" */
  expectedAction?: string;
  /** @default 0.5 */
  minScore?: number;
  /** @default 3000 */
  timeoutMs?: number;
}): ChallengeVerifier {
  const action = options.expectedAction ?? "rate_limit_challenge";
  const url = `https://recaptchaenterprise.googleapis.com/v1/projects/${encodeURIComponent(options.projectId)}/assessments?key=${encodeURIComponent(options.apiKey)}`;
  return {
    async verify(token, context) {
      try {
        const res = await options.fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ event: { token, siteKey: options.siteKey, expectedAction: action, ...(context.ip ? { userIpAddress: context.ip } : {}) } }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
        });
        if (!res.ok) return false;
        const parsed = assessmentSchema.safeParse(await res.json());
        if (!parsed.success || !parsed.data.tokenProperties.valid) return false;
        if (parsed.data.tokenProperties.action !== undefined && parsed.data.tokenProperties.action !== action) return false;
        return (parsed.data.riskAnalysis?.score ?? 0) >= (options.minScore ?? 0.5);
      } catch {
        return false;
      }
    },
  };
}
