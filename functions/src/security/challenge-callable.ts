import { onCall, type CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { callableOptions } from "../app/function-options";
import { verifyCallerChallenge } from "../app/rate-limit";
import { callerOf } from "../lib/callable";
import { toHttpsError } from "../lib/error-mapping";
import { ValidationError } from "../lib/errors";
import { parseInput } from "../lib/validation";

const verifyChallengeInput = z.strictObject({ token: z.string().min(1).max(4096) });

/**
 * Web and mobile SDKs cannot add headers to callables, so an identity in "challenge required"
 * state sends its reCAPTCHA / App Check token here. This is the one callable outside
 * `callableHandler`: the generic guard would refuse it for the very challenge it clears; it is
 * limited inside `verifyCallerChallenge` instead.
 */
export async function verifyChallengeHandler(request: CallableRequest<unknown>): Promise<{ verified: true }> {
  try {
    const caller = callerOf(request);
    const { token } = parseInput(verifyChallengeInput, request.data ?? {});
    if (!(await verifyCallerChallenge(caller, request.rawRequest, token))) {
      throw new ValidationError("Invalid token: the challenge was not passed.", [{ path: "token", message: "Not accepted by the verifier" }]);
    }
    return { verified: true };
  } catch (error) {
    throw toHttpsError(error, { callable: "security.verifyChallenge", uid: request.auth?.uid });
  }
}

export const verifyChallenge = onCall(callableOptions, verifyChallengeHandler);
