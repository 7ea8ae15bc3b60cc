// Through a real gateway: the README's usage.retrieve example, run as written (it once named a fixed start date
// that fell outside the 366-day window as time passed), and chat.completions.create taking a value typed
// ChatCompletionCreateParams, whose `stream` is only known at run time.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, isQueued, Stream, type ChatCompletionCreateParams, type RunestoneClient, type UsageReport } from "../src/index";
import { startGateway, type GatewayProcess } from "./gateway-process";

let gateway: GatewayProcess;
let runestone: RunestoneClient;

beforeAll(async () => {
  gateway = await startGateway();
  runestone = createClient({ baseUrl: gateway.url, apiKey: "sk-runestone-dev" });
});
afterAll(async () => {
  await gateway?.stop();
});

/** The README's `usage.retrieve(...)` line, as a function of the client. */
function readmeUsageExample(): (client: RunestoneClient) => Promise<UsageReport> {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const line = readme.split("\n").find((l) => l.startsWith("await runestone.usage.retrieve("));
  if (!line) throw new Error("the README has no `await runestone.usage.retrieve(` line");
  const call = line.slice("await ".length, line.lastIndexOf(";"));
  return new Function("runestone", `return ${call};`) as (client: RunestoneClient) => Promise<UsageReport>;
}

describe("the README's usage.retrieve example", () => {
  it("works on today's date, as written", async () => {
    await runestone.chat.completions.create({ model: "mock-echo", messages: [{ role: "user", content: "count me" }] });
    const report = await readmeUsageExample()(runestone);
    expect(report.object).toBe("usage.report");
    expect(report.group_by).toEqual(["day", "model"]);
    expect(report.to).toBe(new Date().toISOString().slice(0, 10));
  });
});

describe("chat.completions.create with a ChatCompletionCreateParams value", () => {
  const params = (stream: boolean): ChatCompletionCreateParams => ({ model: "mock-echo", messages: [{ role: "user", content: "hi there" }], stream });

  it("answers the completion when stream is false", async () => {
    const result = await runestone.chat.completions.create(params(false));
    if (result instanceof Stream || isQueued(result)) throw new Error("expected a completion");
    expect(result.choices[0]?.message.content).toBe("echo: hi there");
  });

  it("answers a stream when stream is true, as chat.completions.stream would", async () => {
    const result = await runestone.chat.completions.create(params(true));
    expect(result).toBeInstanceOf(Stream);
    if (!(result instanceof Stream)) return;
    expect(await result.finalText()).toBe("echo: hi there");
  });
});
