// Regression test: `tool_choice: null` and `text: {format: null}` (what clients send for "not set"; the
// translation treats null as absent) were refused with 400 by the spec. Now they are served as the defaults.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, startHarness, type Harness } from "./harness";
import { responsesConfigYaml } from "./responses-test-config";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: responsesConfigYaml });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

describe("a Responses request with null settings", () => {
  it.each([{ tool_choice: null }, { text: { format: null } }])("is served as if they were left out: %j", async (extra) => {
    const res = await postJson(`${h.url}/v1/responses`, { model: "claude-sonnet-4-5", input: "hi", ...extra });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; tool_choice: unknown };
    expect(body.status).toBe("completed");
    expect(body.tool_choice).toBe("auto");
    const upstream = h.upstream.requests.at(-1)!.body as Record<string, unknown>;
    expect(upstream.tool_choice).toBeUndefined();
  });
});
