/**
 * The load scenarios. The full sizes (100 / 1,000 / 5,000 users, a 2-hour endurance run) are
 * meant for a machine with cores to spare for the load generator; by default each is scaled to
 * what one 2-core machine shared with the local stack can drive, and bounded in time.
 * Users are distinct identities (an ID token and an API key each): they spread the limiter's
 * per-identity buckets and the cache's per-user entries as real traffic does. Connections are
 * what loads one instance.
 */
export type Phase = { connections: number; seconds: number };

export type Scenario = {
  users: number;
  /** Each target runs these phases in order (the capacity table's columns). */
  phases: Phase[];
  /** Targets (by name or function) besides the two baselines; all when omitted. */
  targets?: string[];
  /** Endurance: one function under steady load, its RSS sampled every `sampleSeconds`. */
  endurance?: { target: string; connections: number; seconds: number; sampleSeconds: number };
};

const levels = (seconds: number, connections = [1, 10, 80, 160]): Phase[] => connections.map((c) => ({ connections: c, seconds }));

export const SCENARIOS: Record<string, { scaled: Scenario; full: Scenario }> = {
  baseline: {
    scaled: { users: 100, phases: levels(5) },
    full: { users: 100, phases: levels(30) },
  },
  stress: {
    scaled: { users: 300, phases: levels(8, [80, 160, 320]), targets: ["listPrompts", "REST GET prompts", "version by label"] },
    full: { users: 1_000, phases: levels(60, [80, 160, 320, 640, 1_000]), targets: ["listPrompts", "REST GET prompts", "version by label"] },
  },
  spike: {
    scaled: {
      users: 500,
      phases: [
        { connections: 1, seconds: 3 },
        { connections: 500, seconds: 6 },
        { connections: 1, seconds: 3 },
      ],
      targets: ["listPrompts", "version by label"],
    },
    full: {
      users: 5_000,
      phases: [
        { connections: 10, seconds: 30 },
        { connections: 5_000, seconds: 60 },
        { connections: 10, seconds: 30 },
      ],
      targets: ["listPrompts", "version by label"],
    },
  },
  endurance: {
    scaled: { users: 100, phases: [], endurance: { target: "REST GET prompts", connections: 80, seconds: 120, sampleSeconds: 5 } },
    full: { users: 100, phases: [], endurance: { target: "REST GET prompts", connections: 80, seconds: 2 * 3_600, sampleSeconds: 30 } },
  },
};
