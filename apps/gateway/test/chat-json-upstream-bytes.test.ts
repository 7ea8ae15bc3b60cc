// A chat JSON answer from an OpenAI-shaped upstream is sent as the upstream's own bytes with Runestone's fields
// spliced in when reading it changed nothing (no second serialization); an answer the gateway had to change
// (usage that is not made of counts, missing nulls, a field of Runestone's own name) is sent as the changed answer.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, postJson, testConfigYaml } from "./harness";

let upstreamText = "";
let upstream: Server;
let plain: RunningGateway;
let validated: RunningGateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(upstreamText);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const start = (validateResponses: boolean) => startGateway({ config: parseConfig(testConfigYaml(url), {}).config, logger: createLogger("info", new LogCapture()), validateResponses });
  plain = await start(false);
  validated = await start(true);
});
afterAll(async () => {
  await plain?.close();
  await validated?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

const message = { role: "assistant", content: "caf\u00e9 \u2028 ok", refusal: null };
const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 0 } };
const answer = (over: Record<string, unknown> = {}) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini-2024-07-18",
  choices: [{ index: 0, message, logprobs: null, finish_reason: "stop" }],
  usage,
  service_tier: "default",
  x_vendor: { kept: [1, 2.50, "\u00e9"] },
  ...over,
});

async function ask(gw: RunningGateway) {
  const res = await postJson(`${gw.url}/v1/chat/completions`, { model: "gpt-4o-mini", request_id: "req-bytes", messages: [{ role: "user", content: "hi" }] });
  const text = await res.text();
  return { res, text, body: JSON.parse(text) as Record<string, unknown> };
}

const stamped = { provider: "openai", routing_policy: "default", request_id: "req-bytes" };

describe("chat JSON answer from the upstream's bytes", () => {
  it("is the upstream's own text with provider, routing_policy and request_id added, headers and length intact", async () => {
    // Pretty-printed, escapes as the upstream wrote them, a number that JSON.stringify would write differently.
    upstreamText = JSON.stringify(answer(), null, 2).replace("caf\u00e9", "caf\\u00e9").replace("2.5", "2.50") + "\n";
    for (const gw of [plain, validated]) {
      const { res, text, body } = await ask(gw);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(res.headers.get("x-runestone-provider")).toBe("openai");
      expect(res.headers.get("x-runestone-cost")).toBe("0.00000285");
      expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(text));
      expect(body).toStrictEqual({ ...answer(), ...stamped });
      if (gw === plain) expect(text).toBe(`${upstreamText.slice(0, upstreamText.lastIndexOf("}"))},"provider":"openai","routing_policy":"default","request_id":"req-bytes"}`);
    }
  });

  it("sanitizes usage that is not made of counts (the upstream's text is not sent)", async () => {
    upstreamText = JSON.stringify(answer({ usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: "7", prompt_tokens_details: { cached_tokens: 9 } } }));
    for (const gw of [plain, validated]) {
      const { body } = await ask(gw);
      expect(body.usage).toStrictEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 3 } });
      expect(body).toMatchObject(stamped);
    }
  });

  it("fills in refusal and logprobs an OpenAI-compatible server left out", async () => {
    upstreamText = JSON.stringify(answer({ choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] }));
    for (const gw of [plain, validated]) {
      const { body } = await ask(gw);
      expect(body.choices).toStrictEqual([{ index: 0, message: { role: "assistant", content: "hi", refusal: null }, logprobs: null, finish_reason: "stop" }]);
    }
  });

  it("replaces an upstream's own provider or request_id field instead of sending it twice", async () => {
    upstreamText = JSON.stringify(answer({ provider: "somebody-else", request_id: "theirs" }));
    const { text, body } = await ask(plain);
    expect(body).toMatchObject(stamped);
    expect(text.match(/"provider"/g)).toHaveLength(1);
    expect(text.match(/"request_id"/g)).toHaveLength(1);
  });

  it("names the deployment's model when the upstream's answer has none", async () => {
    const { model: _drop, ...noModel } = answer();
    upstreamText = JSON.stringify(noModel);
    const { body } = await ask(plain);
    expect(body.model).toBe("gpt-4o-mini");
    expect(body).toMatchObject(stamped);
  });
});
