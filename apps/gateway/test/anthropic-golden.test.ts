// The forward adapter's golden request cases end to end: each OpenAI chat request goes through the gateway to
// the `anthropic` provider on the mock upstream, which must receive exactly the fixture's Messages request with
// Anthropic's headers; the client must get a valid chat.completion (or a stream ending in [DONE]) back.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, readSse, startHarness, type Harness } from "./harness";
import { ANTHROPIC_UPSTREAM_KEY, interopConfigYaml } from "./messages-test-config";

interface ForwardCase {
  call?: { stream?: boolean };
  openai: Record<string, unknown>;
  anthropic: Record<string, unknown>;
}

const dir = join(import.meta.dirname, "../src/providers/anthropic/__fixtures__");
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".case.json"))
  .map((f) => f.replace(/\.case\.json$/, ""));

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: interopConfigYaml });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

describe("forward golden cases through the gateway to an Anthropic upstream", () => {
  it("covers every request fixture", () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)("%s reaches the upstream as the fixture's Messages request and answers OpenAI's shape", async (name) => {
    const c = JSON.parse(readFileSync(join(dir, `${name}.case.json`), "utf8")) as ForwardCase;
    const res = await postJson(`${h.url}/v1/chat/completions`, { ...c.openai, model: "claude-sonnet-4-5" });
    expect(res.status).toBe(200);

    expect(h.upstream.requests).toHaveLength(1);
    const sent = h.upstream.requests[0]!;
    expect(sent.path).toBe("/v1/messages");
    expect(sent.headers["x-api-key"]).toBe(ANTHROPIC_UPSTREAM_KEY);
    expect(sent.headers["anthropic-version"]).toBe("2023-06-01");
    expect(sent.body).toStrictEqual(c.anthropic);

    if (c.openai.stream === true) {
      const events = await readSse(res);
      expect(events.at(-1)).toBe("[DONE]");
      expect(JSON.parse(events[0]!).choices[0].delta.role).toBe("assistant");
    } else {
      const completion = (await res.json()) as { object: string; provider: string; choices: Array<{ message: { role: string } }> };
      expect(completion.object).toBe("chat.completion");
      expect(completion.provider).toBe("anthropic");
      expect(completion.choices[0]!.message.role).toBe("assistant");
    }
  });
});
