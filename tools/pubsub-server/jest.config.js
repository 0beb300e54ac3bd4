/**
 * Conformance suite of the Pub/Sub server, run through @google-cloud/pubsub against
 * PUBSUB_EMULATOR_HOST when set (this server, or Google's emulator), otherwise against an
 * in-process server started by the global setup.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: "pubsub-server",
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["<rootDir>/conformance/**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  globalSetup: "<rootDir>/conformance/global-setup.ts",
  globalTeardown: "<rootDir>/conformance/global-teardown.ts",
  testTimeout: 60_000,
};
