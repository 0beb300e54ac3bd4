/**
 * Tests of the Upstash REST endpoint against a real Redis: `REDIS_URL` when set (the local
 * stack's), otherwise a throwaway `redis-server` started by the global setup.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: "upstash-rest",
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
  testTimeout: 30_000,
};
