import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { RequestFinishedEvent } from "../core/gateway-events";
import { createLogger, lineWriter } from "./logger";
import { logFields, logProps } from "./request-log";

class Capture extends Writable {
  readonly lines: string[] = [];
  writes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.writes++;
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    cb();
  }
}

/** The end of the current event-loop turn, when hand-built lines reach their destination. */
const turnEnds = () => new Promise((resolve) => setImmediate(resolve));

/** The same events as pino's lines and as hand-built lines (time left out), each from a logger of its own. */
async function bothWays(events: RequestFinishedEvent[], level = "info"): Promise<{ byPino: string[]; byHand: string[] }> {
  const [a, b] = [new Capture(), new Capture()];
  const pinoLogger = createLogger(level, a);
  const handWriter = lineWriter(createLogger(level, b))!;
  for (const e of events) {
    pinoLogger.info(logFields(e), "request");
    handWriter("info", logProps(e), "request");
  }
  await turnEnds();
  const untimed = (c: Capture) => c.lines.map((l) => l.replace(/"time":"[^"]+"/, '"time":"T"'));
  return { byPino: untimed(a), byHand: untimed(b) };
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
    "only the required fields, every other one present and undefined (as describeRequest makes them)",
    { ...(Object.fromEntries(Object.keys(full).map((k) => [k, undefined])) as Partial<RequestFinishedEvent>), requestId: "req_1", route: "other", method: "GET", status: 404, stream: false, durationMs: 0.1 },
  ],
  [
    "strings a client chose (quotes, backslashes, control characters, non-ASCII)",
    { ...full, requestId: 'a"b\\c d', model: 'm"\n\t\u0001\u001f\u007f é 模型 😀 </script>', tenant: "t\u2028u", errorCode: "x\ry" },
  ],
  ["numbers JSON cannot hold", { ...full, durationMs: Number.NaN, costUsd: Number.POSITIVE_INFINITY, promptTokens: 1e21, cachedTokens: 1e-7 }],
];

describe("the request log line built by hand", () => {
  for (const [what, e] of events) {
    it(`is the line pino writes for the same fields, ${what} (time aside)`, async () => {
      const { byPino, byHand } = await bothWays([e]);
      expect(byHand).toHaveLength(1);
      expect(byHand).toEqual(byPino);
      const line = JSON.parse(byHand[0]!.replace('"time":"T"', '"time":"x"')) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 30, service: "runestone", msg: "request", request_id: e.requestId });
    });
  }

  it("writes durations as pino writes the rounded milliseconds, across magnitudes and at rounding edges", async () => {
    const edges = [0, -0, 0.0004, 0.0005, 0.0015, 0.9995, 1.0005, 1e-7, 0.1, 0.12, 0.125, 2.675, 1000.001, 123456.7895, 99999999999.999, 1e11 + 0.001, 1e12, 5e12, 1e300, -1, -0.0004, -2.5];
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const values = [...edges, ...Array.from({ length: 3000 }, (_, i) => random() * 10 ** ((i % 14) - 3))];
    const { byPino, byHand } = await bothWays(values.map((v) => ({ ...full, durationMs: v, upstreamMs: v / 3, overheadMs: v * 7, ttftMs: v / 1000 })));
    expect(byHand).toHaveLength(values.length);
    for (let i = 0; i < values.length; i++) expect(byHand[i], String(values[i])).toBe(byPino[i]);
  });

  it("holds the lines of one event-loop turn until its end, then hands each over whole, one line per write", async () => {
    const out = new Capture();
    const chunks: string[] = [];
    const write = lineWriter(createLogger("info", out))!;
    const original = out.write.bind(out);
    out.write = ((chunk: string | Buffer, ...rest: unknown[]) => (chunks.push(String(chunk)), (original as (...a: unknown[]) => boolean)(chunk, ...rest))) as typeof out.write;
    const before = Date.now();
    for (let i = 0; i < 50; i++) write("info", logProps({ ...full, requestId: `r${i}` }), "request");
    expect(out.lines).toHaveLength(0);
    await turnEnds();
    // A write of one line is atomic on a pipe that several workers share (up to PIPE_BUF); a turn's lines
    // handed over as one string were not, and broke lines under RUNESTONE_WORKERS.
    expect(chunks).toHaveLength(50);
    for (const c of chunks) expect(c.match(/\n/g)).toHaveLength(1);
    expect(out.lines.map((l) => JSON.parse(l).request_id)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    const time = Date.parse(JSON.parse(out.lines[0]!).time as string);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it("writes debug lines at pino's debug level number", async () => {
    const out = new Capture();
    const logger = createLogger("debug", out);
    lineWriter(logger)!("debug", logProps(full), "request");
    await turnEnds();
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ level: 20, route: "/v1/chat/completions" });
  });

  it("is not offered for a logger createLogger did not make (the request log then goes through pino)", async () => {
    const { default: pino } = await import("pino");
    expect(lineWriter(pino({ level: "silent" }))).toBeUndefined();
  });
});
