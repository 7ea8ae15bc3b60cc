import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { RequestFinishedEvent } from "../core/gateway-events";
import { createLogger, lineWriter } from "./logger";
import { logFields, logProps } from "./request-log";

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    cb();
  }
}

// Every field of the event (Required): a field added to the event fails to compile here until the case sets it,
// so a field logFields gains is compared below.
const full: Required<RequestFinishedEvent> = {
  requestId: "req_0123456789abcdef",
  tenant: "tenant-a",
  method: "POST",
  route: "/v1/chat/completions",
  status: 200,
  provider: "openai",
  model: "gpt-4o-mini",
  routingPolicy: "cost",
  stream: true,
  durationMs: 12.3456789,
  upstreamMs: 10.0004,
  overheadMs: 2.3452789,
  ttftMs: 4.5,
  promptTokens: 12,
  completionTokens: 34,
  cachedTokens: 5,
  tokensEstimated: true,
  costUsd: 0.000012345,
  fallbacks: 1,
  retries: 0,
  errorCode: "upstream_error",
  clientClosed: true,
  cache: "miss",
  cacheSavedUsd: 0,
};

const events: Array<[string, RequestFinishedEvent]> = [
  ["every field", full],
  ["only the required fields", { requestId: "req_1", route: "other", method: "GET", status: 404, stream: false, durationMs: 0.1 }],
  [
    "strings a client chose (quotes, backslashes, control characters, non-ASCII)",
    { ...full, requestId: 'a"b\\c d', model: 'm"\n\t\u0001\u001f\u007f é 模型 😀 </script>', tenant: "t\u2028u", errorCode: "x\ry" },
  ],
  ["numbers JSON cannot hold", { ...full, durationMs: Number.NaN, costUsd: Number.POSITIVE_INFINITY, promptTokens: 1e21, cachedTokens: 1e-7 }],
];

describe("the request log line built by hand", () => {
  for (const [what, e] of events) {
    it(`is the line pino writes for the same fields, ${what} (time aside)`, () => {
      const out = new Capture();
      const logger = createLogger("info", out);
      logger.info(logFields(e), "request");
      lineWriter(logger)!("info", logProps(e), "request");
      expect(out.lines).toHaveLength(2);
      const [byPino, byHand] = out.lines.map((l) => l.replace(/"time":"[^"]+"/, '"time":"T"'));
      expect(byHand).toBe(byPino);
      expect(JSON.parse(out.lines[1]!)).toMatchObject({ level: 30, service: "runestone", msg: "request", request_id: e.requestId });
      expect(new Date(JSON.parse(out.lines[1]!).time as string).toISOString()).toBe(JSON.parse(out.lines[1]!).time);
    });
  }

  it("writes durations as pino writes the rounded milliseconds, across magnitudes and at rounding edges", () => {
    const edges = [0, -0, 0.0004, 0.0005, 0.0015, 0.9995, 1.0005, 1e-7, 0.1, 0.12, 0.125, 2.675, 1000.001, 123456.7895, 99999999999.999, 1e11 + 0.001, 1e12, 5e12, 1e300, -1, -0.0004, -2.5];
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const values = [...edges, ...Array.from({ length: 3000 }, (_, i) => random() * 10 ** ((i % 14) - 3))];
    const out = new Capture();
    const logger = createLogger("info", out);
    for (const v of values) {
      const e = { ...full, durationMs: v, upstreamMs: v / 3, overheadMs: v * 7, ttftMs: v / 1000 };
      logger.info(logFields(e), "request");
      lineWriter(logger)!("info", logProps(e), "request");
    }
    const lines = out.lines.map((l) => l.replace(/"time":"[^"]+"/, ""));
    for (let i = 0; i < lines.length; i += 2) expect(lines[i + 1], String(values[i / 2])).toBe(lines[i]);
  });

  it("writes debug lines at pino's debug level number", () => {
    const out = new Capture();
    const logger = createLogger("debug", out);
    lineWriter(logger)!("debug", logProps(full), "request");
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ level: 20, route: "/v1/chat/completions" });
  });

  it("is not offered for a logger createLogger did not make (the request log then goes through pino)", async () => {
    const { default: pino } = await import("pino");
    expect(lineWriter(pino({ level: "silent" }))).toBeUndefined();
  });
});
