import type { LogEntry, WindowLimit, WindowState } from "./types";

/** One decision as the store sees it: limits are already resolved, the IP already normalised. */
export type StoreCheck = {
  /** `identityKey(identity)`. */
  idKey: string;
  /** Normalised IP subject whose ban applies, or undefined. */
  ip?: string;
  bucket: string;
  cost: number;
  windows: WindowLimit[];
  /** "charge" records the cost without refusing (for costs known only afterwards, e.g. tokens). */
  mode: "check" | "charge";
  now: number;
  challenge: { violations: number; windowMs: number; ttlMs: number };
  /** Decide as if no challenge were required (the gate in front of the verifier that lifts it). */
  ignoreChallenge?: boolean;
};

/** `banned`: the client IP is banned; `identity_banned`: the identity is, for its own failures. */
export type StoreStatus = "allowed" | "limited" | "banned" | "identity_banned" | "challenge";

export type StoreResult = {
  status: StoreStatus;
  /** The time the store decided at (monotonic per identity, may be later than asked). */
  now: number;
  retryAfterMs: number;
  challengeTriggered: boolean;
  windows: WindowState[];
  /** The log entry an admitted request was recorded as (Redis only): what a settlement adjusts. */
  entry?: LogEntry;
};

/** Whose failure it is: an anonymous request's client IP subject, or an authenticated identity. */
export type FailureSubject = { ip: string } | { idKey: string };

export type FailureSettings = { threshold: number; windowMs: number; banLadderMs: number[]; ladderResetMs: number };

export type FailureResult =
  | { status: "counted"; failures: number }
  | { status: "banned"; banMs: number; level: number; failures: number }
  | { status: "already-banned"; banMs: number; level: number };

/** The limiting part every store implements (Redis, and the in-memory fallback). */
export type LimitStore = { check(request: StoreCheck): Promise<StoreResult> };
