/**
 * Tests of the event relay: the local Firestore, Storage and Pub/Sub servers run in-process on
 * free ports, with a fake Functions emulator that runs real firebase-functions v2 handlers.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: "event-relay",
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["<rootDir>/src/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  testTimeout: 60_000,
};
