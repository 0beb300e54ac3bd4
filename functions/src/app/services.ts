import { systemClock } from "../lib/clock";
import { createWorkspaceService, type WorkspaceService } from "../workspaces/workspace-service";
import { createHealthCheck, type HealthCheck } from "../health/health-check";
import { firestore, redis } from "./clients";

/** The domain services wired to the real clients, built once per instance on first use. */
export type Services = {
  workspaces: WorkspaceService;
  health: HealthCheck;
};

let built: Services | undefined;

export function services(): Services {
  if (!built) {
    const db = firestore();
    built = {
      workspaces: createWorkspaceService({ db, clock: systemClock }),
      health: createHealthCheck({ db, redis: redis(), clock: systemClock }),
    };
  }
  return built;
}

/** Tests swap in services wired to their own clients. */
export function overrideServices(next: Services | undefined): void {
  built = next;
}
