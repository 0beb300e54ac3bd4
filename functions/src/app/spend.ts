import type { SpendPort } from "../executions/execution-spend";
import type { PayerResolver } from "../identity/payer";
import { refusalError, type RateLimiter } from "../lib/rate-limit";

/** The rate-limit policy every spend is charged to. */
export const SPEND_POLICY = "execute";

/**
 * Spend as the limiter sees it: a workspace's runs reserve from, and settle against, the
 * `execute` policy of its payer (the owner's account, with the owner's tier), whichever member or
 * API key ran them and in whichever of the owner's workspaces.
 *
 * Why here and not in the transport guards: the guards run before the input is parsed and before
 * access is checked, so charging the owner there would let anyone who knows a workspace id spend
 * its owner's budget; and the reservation needs the rendered prompt, known only to the service.
 * The guards still limit calls per caller (the operation's own policy); this port limits spend,
 * after `access.require`, before anything is called or written.
 */
export function createSpend({ limiter, payerOf }: { limiter: Pick<RateLimiter, "limit" | "settle">; payerOf: PayerResolver }): SpendPort {
  return {
    async payer(workspaceId) {
      const payer = await payerOf(workspaceId);
      const identity = payer.identity;
      return {
        plan: payer.plan,
        async reserve(units) {
          // A member's refused run is not the owner's violation: no challenge for the owner from it.
          const admitted = await limiter.limit({ identity, policy: SPEND_POLICY, cost: units, budget: true });
          if (!admitted.allowed) throw refusalError(admitted);
          let settled = false;
          return {
            units,
            // Once: the log entry then carries the run's final cost, and a second settlement would not find it.
            async settle(actual) {
              if (settled) return;
              settled = true;
              await limiter.settle({ identity, policy: SPEND_POLICY, admitted, reserved: units, cost: actual });
            },
          };
        },
      };
    },
  };
}
