/**
 * Conformance suite of the Storage server, run through @google-cloud/storage against
 * STORAGE_EMULATOR_HOST when set (this server, or Google's emulator), otherwise against an
 * in-process server started by the global setup. `test/` holds cases only this server can
 * answer (its change feed, reset endpoint, signed-URL keys, on-disk layout); they start their
 * own server.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: "storage-server",
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["<rootDir>/conformance/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  globalSetup: "<rootDir>/conformance/global-setup.ts",
  globalTeardown: "<rootDir>/conformance/global-teardown.ts",
  testTimeout: 60_000,
};
