import { randomUUID } from "node:crypto";
import { manualClock } from "../../src/lib/clock";
import { createRateLimiter, createRedisStore, resolveRateLimitConfig, type Identity } from "../../src/lib/rate-limit";
import { upstashClient, upstashEnv } from "./redis-env";

const MINUTE = 60_000;
const silent = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

beforeAll(() => upstashEnv());

// A reservation is admitted like any request, then settled at the cost it turned out to have:
// one Lua call rewrites its log entry in every window. Real Redis behind the Upstash endpoint.
function setup() {
  const clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1e9));
  const config = resolveRateLimitConfig({ challenge: { violations: 0 } });
  const limiter = createRateLimiter({ config, store: createRedisStore(upstashClient()), clock, logger: silent });
  const identity: Identity = { kind: "user", id: `settle-${randomUUID()}`, tier: "free" };
  const reserve = (cost: number) => limiter.limit({ identity, policy: "execute", cost });
  const settle = async (cost: number, reserved: number) => {
    const admitted = await reserve(reserved);
    expect(admitted).toMatchObject({ allowed: true, entry: { id: expect.any(String), cost: reserved } });
    await limiter.settle({ identity, policy: "execute", admitted, reserved, cost });
    return admitted;
  };
  return { clock, limiter, identity, reserve, settle };
}

describe("settling a reservation on the real Redis", () => {
  it("refunds what a run did not use: the budget it frees admits the next reservation", async () => {
    const { reserve, settle } = setup();
    await settle(2, 8);
    // Free tier: 10 a minute. Without the refund 8 would be used and this refused.
    const next = await reserve(8);
    expect(next.allowed).toBe(true);
    expect(next.windows.find((w) => w.windowMs === MINUTE)?.remaining).toBe(0);
    expect((await reserve(1)).allowed).toBe(false);
  });

  it("charges the excess of a run that used more than it reserved", async () => {
    const { reserve, settle } = setup();
    await settle(7, 2);
    expect((await reserve(4)).allowed).toBe(false);
    expect((await reserve(3)).allowed).toBe(true);
  });

  it("keeps the entry's admission time: the settled cost leaves the window when the reservation would have", async () => {
    const { clock, reserve, settle } = setup();
    await settle(9, 3);
    clock.advance(MINUTE / 2);
    expect((await reserve(2)).allowed).toBe(false);
    clock.advance(MINUTE / 2);
    expect((await reserve(10)).allowed).toBe(true);
  });

  it("a settlement to zero removes the entry; a second identity's budget is untouched", async () => {
    const { limiter, reserve, settle } = setup();
    await settle(0, 10);
    expect((await reserve(10)).allowed).toBe(true);
    const other: Identity = { kind: "user", id: `settle-${randomUUID()}`, tier: "free" };
    expect((await limiter.limit({ identity: other, policy: "execute", cost: 10 })).allowed).toBe(true);
  });

  it("a refund lifts this instance's cached refusal, so memory never refuses what Redis admits", async () => {
    const { reserve, limiter, identity } = setup();
    const admitted = await reserve(9);
    const refused = await reserve(5);
    expect(refused).toMatchObject({ allowed: false, source: "redis" });
    expect(await reserve(5)).toMatchObject({ allowed: false, source: "memory-cache" });
    await limiter.settle({ identity, policy: "execute", admitted, reserved: 9, cost: 1 });
    expect(await reserve(5)).toMatchObject({ allowed: true, source: "redis" });
  });
});
