import { manualClock } from "../lib/clock";
import { complianceWorkers } from "./compliance-service";

describe("complianceWorkers", () => {
  it("counts a failed purge step for the purge-failures alert and rethrows it, so Pub/Sub retries the step", async () => {
    const counted: string[] = [];
    const failing = { purge: { runStep: async () => Promise.reject(new Error("Firestore unavailable")) } };
    const workers = complianceWorkers(failing as never, manualClock(), { count: (counter) => void counted.push(counter) });
    await expect(workers.runPurgeStep.handle({ jobId: "executions@2026-11-30", step: 0 })).rejects.toThrow("Firestore unavailable");
    expect(counted).toEqual(["purges.failed"]);
  });
});
