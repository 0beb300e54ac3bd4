import type functionsTest from "firebase-functions-test";
import { onDocumentWritten } from "firebase-functions/v2/firestore";
import { invalidationHandler, type InvalidationRule } from "../../src/app/cache-invalidation";
import type { TwoLevelCache } from "../../src/lib/cache";
import { systemClock } from "../../src/lib/clock";

/**
 * Cache-invalidation triggers as deployed (an `onDocumentWritten` function through
 * firebase-functions-test `wrap()`), running against the cache a test names per event instead of
 * the production graph's.
 */
export function invalidationTriggers(testEnv: ReturnType<typeof functionsTest>) {
  let target: TwoLevelCache | undefined;
  return {
    /** The cache the next events invalidate (the "instance" the trigger runs in). */
    runIn(cache: TwoLevelCache) {
      target = cache;
    },
    trigger(rule: InvalidationRule) {
      return testEnv.wrap(
        onDocumentWritten(
          rule.document,
          invalidationHandler(rule, () => {
            if (!target) throw new Error("Call runIn(cache) before firing a trigger.");
            return { cache: target, clock: systemClock };
          }),
        ),
      );
    },
  };
}
