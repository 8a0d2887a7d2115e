import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { JobKind } from "./job.entity.js";
import { ValidationSchedule } from "./scheduler.js";

describe("the validation schedule", () => {
  it("queues validate all on every tick until stopped", async () => {
    const calls: [JobKind, string][] = [];
    const schedule = new ValidationSchedule(40, async (kind, trigger) => void calls.push([kind, trigger]));
    schedule.start();
    // Two ticks, however late a busy machine runs them.
    for (const deadline = Date.now() + 10_000; calls.length < 2 && Date.now() < deadline; ) await sleep(20);
    schedule.stop();
    const made = calls.length;
    expect(made).toBeGreaterThanOrEqual(2);
    expect(calls.every(([kind, trigger]) => kind === JobKind.VALIDATE && trigger === "SCHEDULE")).toBe(true);
    await sleep(100);
    expect(calls.length).toBe(made);
  });

  it("is off by default (interval 0)", async () => {
    const calls: unknown[] = [];
    const schedule = new ValidationSchedule(0, async () => void calls.push(1));
    schedule.start();
    await sleep(60);
    schedule.stop();
    expect(calls).toEqual([]);
  });
});
