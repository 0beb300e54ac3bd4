import type { Plan } from "../identity/payer";
import type { RenderedPrompt } from "../prompts/prompt-types";
import type { TokenUsage } from "../providers/provider-types";

/**
 * How runs are charged to the `execute` rate-limit policy: in cost units of tokens, reserved from
 * the paying account before the run and settled at the actual usage after it.
 */
export const EXECUTION_SPEND = {
  /** Tokens (input plus output) one cost unit buys. @default 1000 */
  tokensPerUnit: 1000,
  /** The fewest units a run is charged. @default 1 */
  minUnits: 1,
  /** Characters per token when estimating the rendered prompt before the run. @default 4 */
  charsPerToken: 4,
} as const;

/** Cost units for a number of tokens: one per `tokensPerUnit` started, at least `minUnits`. */
export function unitsForTokens(tokens: number): number {
  return Math.max(EXECUTION_SPEND.minUnits, Math.ceil(Math.max(0, tokens) / EXECUTION_SPEND.tokensPerUnit));
}

/**
 * The reservation of a run: the rendered prompt's tokens (estimated at 4 characters a token) plus
 * every output token it may ask for. Retrieved passages are not known yet; they are charged at
 * settlement, with the rest of the actual usage.
 */
export function reservationUnits(rendered: RenderedPrompt, maxOutputTokens: number): number {
  const chars = rendered.user.length + (rendered.system?.length ?? 0);
  return unitsForTokens(Math.ceil(chars / EXECUTION_SPEND.charsPerToken) + maxOutputTokens);
}

/** Units a finished run actually spent. */
export function settledUnits(usage: TokenUsage): number {
  return unitsForTokens(usage.inputTokens + usage.outputTokens);
}

/** Units held for a run until it is settled. */
export type SpendReservation = {
  readonly units: number;
  /** Sets the run's charge to `units` (refunding or topping up the reservation). Never throws. */
  settle(units: number): Promise<void>;
};

/** Who pays for runs in a workspace, and their budget. */
export type WorkspacePayer = {
  plan: Plan;
  /** Holds `units` of the payer's `execute` budget; throws the limiter's typed refusal (429) when they are not left. */
  reserve(units: number): Promise<SpendReservation>;
};

/**
 * Spend as executions see it, given by the composition root: runs in a workspace are charged to
 * its owner's account (members and API keys spend their workspace owner's budget).
 */
export type SpendPort = {
  payer(workspaceId: string): Promise<WorkspacePayer>;
};
