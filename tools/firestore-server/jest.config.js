/**
 * Conformance suite of the Firestore server, run through firebase-admin against
 * FIRESTORE_EMULATOR_HOST when set (this server, or Google's emulator), otherwise against an
 * in-process server started by the global setup.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: "firestore-server",
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["<rootDir>/conformance/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  globalSetup: "<rootDir>/conformance/global-setup.ts",
  globalTeardown: "<rootDir>/conformance/global-teardown.ts",
  testTimeout: 60_000,
};
