import { PermissionDeniedError, UnauthenticatedError } from "../lib/errors";
import { failureBanError, type RateLimiter } from "../lib/rate-limit";

/** Verifies a Firebase ID token and returns its claims; throws for anything not a valid token. */
export type IdTokenVerifier = (idToken: string) => Promise<Record<string, unknown>>;

/**
 * The operators' endpoints (`/health` details, `/metrics`) admit a Firebase ID token whose
 * `admin` custom claim is true, in `Authorization: Bearer`. A missing or bad token counts as a
 * failed request of the client IP under `policy`, so the endpoints cannot be used to guess
 * tokens: past the limit the answer is the ban. Without a verifier nothing is admitted.
 */
export async function requireAdminToken(
  authorization: string | undefined,
  deps: { verifyIdToken?: IdTokenVerifier; limiter: Pick<RateLimiter, "recordFailure">; policy: string; ip: string | undefined; what: string; missing: string },
): Promise<void> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  let claims: Record<string, unknown> | undefined;
  try {
    if (token && deps.verifyIdToken) claims = await deps.verifyIdToken(token);
  } catch {
    claims = undefined;
  }
  if (!claims) {
    const outcome = await deps.limiter.recordFailure({ ip: deps.ip, kind: "authentication", policy: deps.policy });
    throw outcome.banned ? failureBanError(outcome) : new UnauthenticatedError(deps.missing);
  }
  if (claims.admin !== true) throw new PermissionDeniedError(`${deps.what} need the admin custom claim.`);
}
