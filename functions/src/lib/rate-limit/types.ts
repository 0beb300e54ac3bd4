/** Plan tiers the limiter knows by name; the product decides which identity has which. */
export type Tier = "free" | "pro" | "enterprise" | "anonymous";

/**
 * Who a decision is about. `tier` may be left out when the caller does not know it yet: the
 * limiter then asks its injected tier resolver.
 */
export type Identity = {
  kind: "user" | "apiKey" | "ip";
  id: string;
  tier?: Tier;
  /** The workspace an API key belongs to: its plan is the key's tier. */
  workspaceId?: string;
};

/** One rolling window: at most `limit` cost units within any `windowMs` span. */
export type WindowLimit = { limit: number; windowMs: number };

/** What happens to a route's requests while Redis cannot answer. */
export type FailMode = "open" | "closed";

/** Why a request was refused; each reason has its own error code and message. */
export type RefusalReason = "rate_limited" | "ip_banned" | "identity_banned" | "challenge_required" | "denied" | "unavailable" | "overloaded";

/** The state of one window after the decision. */
export type WindowState = WindowLimit & {
  /** Cost units left in the window after this request. */
  remaining: number;
  /** When (epoch ms) the oldest admitted unit leaves the window and capacity grows again. */
  resetAt: number;
};

/** Where the decision came from, for metrics and for headers' honesty. */
export type DecisionSource = "redis" | "memory-cache" | "fallback" | "list";

export type Decision = {
  allowed: boolean;
  policy: string;
  /** Refusal reason; absent when allowed. */
  reason?: RefusalReason;
  /** Every window of the applied limit; empty when lists or an outage decided. */
  windows: WindowState[];
  /** Milliseconds until a retry can succeed; 0 when allowed. */
  retryAfterMs: number;
  source: DecisionSource;
  /** The time the decision was taken at (epoch ms). */
  at: number;
  /** True when this request tipped the identity into "challenge required". */
  challengeTriggered?: boolean;
  /** True when an allow-list entry bypassed every limit. */
  bypassed?: boolean;
  /** The log entry an admitted request was recorded as in Redis: what `settle` adjusts. */
  entry?: LogEntry;
};

/** One admitted request in the window logs: its unique id and the cost it was admitted at. */
export type LogEntry = { id: string; cost: number };

/** What the limiter is asked: who, on which policy, at what cost, from which IP. */
export type LimitRequest = {
  identity: Identity;
  policy: string;
  /** Overrides the policy's cost for this request (e.g. estimated tokens). */
  cost?: number;
  /** Client IP (already derived with `clientIp`); bans and IP lists apply to it. */
  ip?: string;
  /**
   * A budget drawn by someone else's request (spend charged to a workspace's owner), not a
   * request of this identity: its refusals are no violations of the identity, and the identity's
   * challenge (about its own behaviour) does not gate it.
   */
  budget?: boolean;
};
