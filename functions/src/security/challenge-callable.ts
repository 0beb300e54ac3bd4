import type { CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { callerOf, type Caller } from "../lib/callable";
import { toHttpsError } from "../lib/error-mapping";
import { ValidationError } from "../lib/errors";
import { parseInput } from "../lib/validation";

const verifyChallengeInput = z.strictObject({ token: z.string().min(1).max(4096) });

export type ChallengeCheck = (caller: Caller, request: CallableRequest<unknown>, token: string) => Promise<boolean>;

/**
 * Web and mobile SDKs cannot add headers to callables, so an identity in "challenge required"
 * state sends its reCAPTCHA / App Check token here. This is the one callable that is not an
 * operation: the generic guard would refuse it for the very challenge it clears; `verify`
 * limits it instead.
 */
export async function verifyChallengeHandler(verify: ChallengeCheck, request: CallableRequest<unknown>): Promise<{ verified: true }> {
  try {
    const caller = callerOf(request);
    const { token } = parseInput(verifyChallengeInput, request.data ?? {});
    if (!(await verify(caller, request, token))) {
      throw new ValidationError("Invalid token: the challenge was not passed.", [{ path: "token", message: "Not accepted by the verifier" }]);
    }
    return { verified: true };
  } catch (error) {
    throw toHttpsError(error, { callable: "security.verifyChallenge", uid: request.auth?.uid });
  }
}
