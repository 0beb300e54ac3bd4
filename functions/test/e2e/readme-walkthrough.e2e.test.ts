import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { functionUrl, signUpTestUser, stackEnv } from "../helpers/emulators";
import { testDb } from "../helpers/firestore";

const run = promisify(execFile);

describe("the README walkthrough (scripts/walkthrough.sh) against the local stack", () => {
  it("creates a workspace, a labelled two-version prompt and a document, then answers with citations over callables and REST", async () => {
    const user = await signUpTestUser("walkthrough");
    // Several writes and an execution inside one minute: more than the free tier allows.
    await testDb().doc(`users/${user.uid}`).set({ plan: "pro" });
    const script = path.resolve(__dirname, "../../../scripts/walkthrough.sh");
    const { stdout } = await run("bash", [script], {
      env: {
        ...process.env,
        FUNCTIONS: functionUrl("").replace(/\/$/, ""),
        AUTH: `http://${stackEnv().authHost}`,
        EMAIL: user.email,
        PASSWORD: "test-password-1",
      },
      timeout: 120_000,
    });

    expect(stdout).toMatch(/production -> v2/);
    expect(stdout).toMatch(/callable execution: status completed, citations \[1\] Refund policy/);
    expect(stdout).toMatch(/\[local provider\]/);
    expect(stdout).toMatch(/REST execution: status completed, first citation: Refund policy/);
  }, 150_000);
});
