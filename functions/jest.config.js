/** Unit tests sit beside the code (`src/**\/*.test.ts`); integration tests under `test/`. @type {import('jest').Config} */
module.exports = {
  displayName: "functions",
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["<rootDir>/src/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
  setupFiles: ["<rootDir>/test/setup-env.js"],
  testTimeout: 30_000,
};
