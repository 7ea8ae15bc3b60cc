// A gateway started with warmValidators (as main.ts starts it) compiles its model endpoints' request schemas
// before it listens: the first requests add no schema to the validator's ajv, answer as a cold gateway does,
// and the startup log says how many operations were built. Without it the first request compiles.
import { createRequire } from "node:module";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, postJson, testConfigYaml } from "./harness";

// The ajv express-openapi-validator itself loads: every schema it compiles for a request goes through addSchema.
const validatorRequire = createRequire(createRequire(import.meta.url).resolve("express-openapi-validator"));
const AjvCore = (validatorRequire("ajv/dist/core") as { default: { prototype: { addSchema: (...a: unknown[]) => unknown } } }).default;

let added = 0;
const addSchema = AjvCore.prototype.addSchema;
beforeAll(() => {
  AjvCore.prototype.addSchema = function (this: unknown, ...args: unknown[]) {
    added++;
    return addSchema.apply(this, args);
  };
});
afterAll(() => {
  AjvCore.prototype.addSchema = addSchema;
});

let upstream: MockUpstream;
const gateways: RunningGateway[] = [];
beforeAll(async () => {
  upstream = await startMockUpstream();
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});
afterAll(() => upstream.close());

async function start(warmValidators: boolean): Promise<{ gw: RunningGateway; logs: LogCapture }> {
  const { config } = parseConfig(testConfigYaml(upstream.url), {});
  const logs = new LogCapture();
  const gw = await startGateway({ config, logger: createLogger("info", logs), validateResponses: false, warmValidators });
  gateways.push(gw);
  return { gw, logs };
}

const entries = (logs: LogCapture) => logs.lines.map((l) => JSON.parse(l) as { msg?: string; operations?: number; ms?: number });
const chat = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

describe("warmValidators", () => {
  it("builds every model endpoint's request validator before listening, so the first requests compile nothing", async () => {
    const { gw, logs } = await start(true);
    const line = entries(logs).find((l) => l.msg === "request validators built");
    // The model routes: chat completions, chat stream, messages, count_tokens, responses, embeddings.
    expect(line).toMatchObject({ operations: 6 });
    expect(typeof line?.ms).toBe("number");
    const before = added;
    const ok = await postJson(`${gw.url}/v1/chat/completions`, chat);
    const bad = await postJson(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini" });
    const messages = await postJson(`${gw.url}/v1/messages`, { model: "gpt-4o-mini", max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    const badEmbeddings = await postJson(`${gw.url}/v1/embeddings`, { model: "gpt-4o-mini" });
    expect([ok.status, bad.status, messages.status, badEmbeddings.status]).toEqual([200, 400, 200, 400]);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("messages");
    expect(((await badEmbeddings.json()) as { error: { param: string } }).error.param).toBe("input");
    expect(added - before).toBe(0);
  });

  it("is off unless asked for: a gateway started without it compiles on its first request, and answers the same", async () => {
    const { gw, logs } = await start(false);
    expect(entries(logs).some((l) => l.msg === "request validators built")).toBe(false);
    const before = added;
    const ok = await postJson(`${gw.url}/v1/chat/completions`, chat);
    const bad = await postJson(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini" });
    expect([ok.status, bad.status]).toEqual([200, 400]);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("messages");
    expect(added - before).toBeGreaterThan(0);
  });
});
