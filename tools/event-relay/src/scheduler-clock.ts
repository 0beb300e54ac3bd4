/**
 * The scheduler's clock: real time by default; tests (and only tests, locally) may jump it ahead
 * (`advance`) or run it faster (`setSpeed`), like a fake clock for cron.
 */
import type { Clock } from "./types";

export class SchedulerClock implements Clock {
  private anchorReal: number;
  private anchorVirtual: number;
  private speed = 1;

  constructor(private readonly real: Clock) {
    this.anchorReal = this.anchorVirtual = real.now();
  }

  now(): number {
    return this.anchorVirtual + (this.real.now() - this.anchorReal) * this.speed;
  }

  advance(ms: number): void {
    this.reanchor();
    this.anchorVirtual += ms;
  }

  setSpeed(speed: number): void {
    this.reanchor();
    this.speed = speed;
  }

  getSpeed(): number {
    return this.speed;
  }

  /** Real milliseconds until the clock shows `at`. */
  realDelayUntil(at: number): number {
    return Math.max(0, (at - this.now()) / this.speed);
  }

  private reanchor(): void {
    this.anchorVirtual = this.now();
    this.anchorReal = this.real.now();
  }
}
