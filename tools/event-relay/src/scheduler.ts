/**
 * Cloud Scheduler → scheduled functions. Each `onSchedule` function gets a job
 * `firebase-schedule-<name>-<region>` (the name `firebase deploy` gives it) that POSTs to the
 * function with the headers Cloud Scheduler sends; firebase-functions' onSchedule reads
 * `X-CloudScheduler-JobName` and `X-CloudScheduler-ScheduleTime` and answers 200 or 500
 * (lib/v2/providers/scheduler.js). The emulator serves scheduled v2 functions with the "http"
 * signature at their trigger route. Failures retry per the function's retryConfig.
 */
import { Cron } from "croner";
import type { Deliverer, Outcome, RetryPolicy } from "./deliverer";
import type { SchedulerClock } from "./scheduler-clock";
import type { Logger, ScheduleTrigger, Trigger } from "./types";

type Job = {
  trigger: ScheduleTrigger;
  signature: string;
  next: (after: number) => number | undefined;
  nextRun: number | undefined;
  lastRun?: string;
  lastOutcome?: Outcome;
};

export type JobView = { name: string; function: string; schedule: string; timeZone: string; nextRun: string | null; lastRun: string | null; lastOutcome: string | null };

/** Firebase also accepts App Engine's `every N minutes|hours`; anything else is unix-cron. */
const EVERY = /^every (\d+) (minutes?|mins?|hours?|hrs?)$/i;
const MAX_TIMER_MS = 60_000;
const MAX_CATCH_UP = 100;

export const jobName = (t: ScheduleTrigger): string => `firebase-schedule-${t.name}-${t.region}`;

function nextFn(t: ScheduleTrigger): (after: number) => number | undefined {
  const every = EVERY.exec(t.schedule.trim());
  if (every) {
    const step = Number(every[1]) * (every[2].toLowerCase().startsWith("h") ? 3_600_000 : 60_000);
    return (after) => (Math.floor(after / step) + 1) * step;
  }
  const cron = new Cron(t.schedule, { timezone: t.timeZone, paused: true });
  return (after) => cron.nextRun(new Date(after))?.getTime();
}

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly clock: SchedulerClock,
    private readonly deliverer: Deliverer,
    private readonly log: Logger,
  ) {}

  sync(triggers: Trigger[]): void {
    const wanted = triggers.filter((t): t is ScheduleTrigger => t.kind === "schedule");
    const names = new Set(wanted.map((t) => t.name));
    for (const name of this.jobs.keys()) if (!names.has(name)) this.jobs.delete(name);
    for (const t of wanted) {
      const signature = JSON.stringify(t);
      if (this.jobs.get(t.name)?.signature === signature) continue;
      try {
        const next = nextFn(t);
        this.jobs.set(t.name, { trigger: t, signature, next, nextRun: next(this.clock.now()) });
      } catch (err) {
        this.log({ severity: "ERROR", event: "schedule_invalid", function: t.name, schedule: t.schedule, error: String(err) });
      }
    }
    this.arm();
  }

  list(): JobView[] {
    return [...this.jobs.values()].map((j) => ({
      name: jobName(j.trigger),
      function: j.trigger.name,
      schedule: j.trigger.schedule,
      timeZone: j.trigger.timeZone,
      nextRun: j.nextRun === undefined ? null : new Date(j.nextRun).toISOString(),
      lastRun: j.lastRun ?? null,
      lastOutcome: j.lastOutcome ?? null,
    }));
  }

  /** `gcloud scheduler jobs run`: fires now, whatever the schedule; undefined for an unknown job. */
  run(name: string): Promise<Outcome | undefined> | undefined {
    const job = [...this.jobs.values()].find((j) => j.trigger.name === name || jobName(j.trigger) === name);
    return job ? this.fire(job, this.clock.now()) : undefined;
  }

  /** Moves the clock and fires what became due; resolves when those runs finished. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await Promise.all(this.due());
    this.arm();
  }

  setSpeed(speed: number): void {
    this.clock.setSpeed(speed);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private due(): Promise<unknown>[] {
    const now = this.clock.now();
    const runs: Promise<unknown>[] = [];
    for (const job of this.jobs.values()) {
      for (let n = 0; job.nextRun !== undefined && job.nextRun <= now; n++) {
        if (n < MAX_CATCH_UP) runs.push(this.fire(job, job.nextRun));
        job.nextRun = job.next(job.nextRun);
      }
    }
    return runs;
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const nexts = [...this.jobs.values()].flatMap((j) => (j.nextRun === undefined ? [] : [j.nextRun]));
    if (nexts.length === 0) return;
    const delay = Math.min(MAX_TIMER_MS, this.clock.realDelayUntil(Math.min(...nexts)));
    this.timer = setTimeout(() => {
      void this.due();
      this.arm();
    }, delay);
  }

  private async fire(job: Job, scheduledAt: number): Promise<Outcome | undefined> {
    const t = job.trigger;
    const scheduleTime = new Date(scheduledAt).toISOString();
    job.lastRun = scheduleTime;
    const name = jobName(t);
    const outcome = await this.deliverer.deliver(
      {
        trigger: t,
        source: "scheduler",
        type: "google.cloud.scheduler.job.v1.executed",
        eventId: `${name}@${scheduleTime}`,
        orderKey: "schedule",
        request: {
          headers: {
            "x-cloudscheduler": "true",
            "x-cloudscheduler-jobname": name,
            "x-cloudscheduler-scheduletime": scheduleTime,
            "user-agent": "Google-Cloud-Scheduler",
          },
          body: "",
        },
      },
      schedulerPolicy(t),
    );
    if (outcome) job.lastOutcome = outcome;
    return outcome;
  }
}

/** Cloud Scheduler's defaults: no retry, 5 s to 1 h backoff, 5 doublings. */
export function schedulerPolicy(t: ScheduleTrigger): RetryPolicy {
  const r = t.retryConfig;
  const retryCount = r.retryCount ?? 0;
  return {
    retry: retryCount > 0,
    maxAttempts: retryCount + 1,
    minBackoffMs: (r.minBackoffSeconds ?? 5) * 1000,
    maxBackoffMs: (r.maxBackoffSeconds ?? 3600) * 1000,
    maxDoublings: r.maxDoublings ?? 5,
  };
}
