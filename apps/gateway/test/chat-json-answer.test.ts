// A chat JSON answer is written in one writeHead when responses are not validated (production), and
// through res.json when they are (tests): both must give the client the same status, headers and bytes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, postJson, startHarness, testConfigYaml, type Harness } from "./harness";

let validated: Harness;
let plain: RunningGateway;
beforeAll(async () => {
  validated = await startHarness();
  const { config } = parseConfig(testConfigYaml(validated.upstream.url), {});
  plain = await startGateway({ config, logger: createLogger("info", new LogCapture()), validateResponses: false });
});
afterAll(async () => {
  await plain?.close();
  await validated?.close();
});

/** The answer as a client sees it, without what differs between any two answers (date, time spent, ids the upstream makes). */
async function answer(base: string, model: string) {
  const res = await postJson(`${base}/v1/chat/completions`, { model, request_id: "same-request", messages: [{ role: "user", content: "hi there" }] });
  const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== "date" && k !== "x-runestone-overhead-ms"));
  const text = await res.text();
  const body = JSON.parse(text) as Record<string, unknown>;
  return { status: res.status, headers, body: { ...body, id: "-", created: 0 }, bytes: Buffer.byteLength(text), overhead: res.headers.get("x-runestone-overhead-ms") };
}

describe("chat JSON answer", () => {
  it.each(["gpt-4o-mini", "mock-echo"])("is the same with and without response validation (%s)", async (model) => {
    const a = await answer(validated.url, model);
    const b = await answer(plain.url, model);
    expect(b.status).toBe(200);
    expect(b.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Number(b.headers["content-length"])).toBe(b.bytes);
    expect(b.headers["x-request-id"]).toBe("same-request");
    expect(b.headers["x-runestone-provider"]).toBeTruthy();
    expect(Number(b.overhead)).toBeGreaterThanOrEqual(0);
    expect(b).toEqual({ ...a, overhead: b.overhead });
  });
});
