/**
 * Every test of the repository, run by `npm test` against the local stack that
 * `scripts/run.mjs` brings up. Each workspace keeps its own config (and can run alone).
 * @type {import('jest').Config}
 */
module.exports = {
  // Global, not per project: with several projects jest reads the timeout from here only.
  testTimeout: 60_000,
  projects: [
    "<rootDir>/functions/jest.config.js",
    "<rootDir>/tools/firestore-server/jest.config.js",
    "<rootDir>/tools/pubsub-server/jest.config.js",
    "<rootDir>/tools/secret-manager-server/jest.config.js",
    "<rootDir>/tools/storage-server/jest.config.js",
    "<rootDir>/tools/upstash-rest/jest.config.js",
    "<rootDir>/tools/event-relay/jest.config.js",
  ],
};
