import type functionsTest from "firebase-functions-test";
import { onDocumentWritten } from "firebase-functions/v2/firestore";
import { cacheInvalidationWorker, type InvalidationRule } from "../../src/app/cache-invalidation";
import { firestoreEvent } from "../../src/lib/workers";
import { testDb } from "./firestore";
import type { TwoLevelCache } from "../../src/lib/cache";
import { systemClock } from "../../src/lib/clock";

/**
 * Cache-invalidation triggers as deployed (an `onDocumentWritten` function running the rule's
 * worker, through firebase-functions-test `wrap()`), against the cache a test names per event
 * instead of the production graph's.
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
          async (event) => {
            if (!target) throw new Error("Call runIn(cache) before firing a trigger.");
            await cacheInvalidationWorker(rule, { cache: target, clock: systemClock, db: testDb() })(firestoreEvent(event));
          },
        ),
      );
    },
  };
}
