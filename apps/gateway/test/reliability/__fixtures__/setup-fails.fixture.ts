// Run by report.test.ts in a nested vitest: a reliability file whose Redis setup fails.
import { afterAll, beforeAll, describe, it } from "vitest";
import { SectionRecorder } from "../results";

const rec = new SectionRecorder("durability");
afterAll(() => rec.write());

it("records its scenario and passes", () => {
  rec.start("a scenario that passes", "it passes").pass("it passed");
});

it("fails before recording its scenario", () => {
  throw new Error("the gateway did not start");
});

describe("Redis mode", () => {
  beforeAll(() => {
    throw new Error("cannot start redis-server: it is not on PATH");
  });
  it("loses no job and runs none twice in Redis mode", () => {
    rec.start("kill -9, Redis mode", "0 lost").pass("0 lost");
  });
});
