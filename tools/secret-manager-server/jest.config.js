/**
 * Conformance suite of the Secret Manager server, run through @google-cloud/secret-manager
 * against SECRET_MANAGER_EMULATOR_HOST when set, otherwise against an in-process server (with an
 * in-process Pub/Sub server for notifications) started by the global setup.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: "secret-manager-server",
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["<rootDir>/conformance/**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  globalSetup: "<rootDir>/conformance/global-setup.ts",
  globalTeardown: "<rootDir>/conformance/global-teardown.ts",
  testTimeout: 60_000,
};
