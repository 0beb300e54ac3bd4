import type { CallableRequest, CallableResponse } from "firebase-functions/v2/https";
import { callableHandler, type CallableGuard } from "../lib/callable";
import type { RequestObserver } from "../lib/metrics";
import type { Operation } from "./operation";

/**
 * The plain handler of an operation served as a callable: the caller is the signed-in user,
 * limited by `guard`, input parsed once, streamed output sent as `{ delta }` chunks to clients
 * that accept a stream (`httpsCallable(...).stream()`).
 */
export function operationCallable<D>(operation: Operation<D>, deps: { guard: CallableGuard; services: D; metrics?: RequestObserver }) {
  return callableHandler(
    {
      name: operation.name,
      input: operation.input,
      parse: { maxBytes: operation.maxInputBytes },
      rateLimit: operation.rateLimit,
      handle: (input, caller, request: CallableRequest<unknown>, response?: CallableResponse<unknown>) => {
        const stream = request.acceptsStreaming && response ? response : undefined;
        return operation.run(deps.services, { kind: "user", uid: caller.uid }, input, stream ? { onDelta: (delta) => void stream.sendChunk({ delta }) } : {});
      },
    },
    deps.guard,
    deps.metrics,
  );
}
