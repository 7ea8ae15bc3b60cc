// The Responses API guide's openai SDK example (apps/docs/guides/07-responses-api.md), run as written against a
// real gateway: only the import line is dropped and the address and key are this gateway's.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, TENANT_KEY, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

function guideExample(): string {
  const guide = readFileSync(fileURLToPath(new URL("../../docs/guides/07-responses-api.md", import.meta.url)), "utf8");
  const block = /```js\n([\s\S]*?)```/.exec(guide)?.[1];
  if (!block) throw new Error("the guide has no ```js example");
  return block;
}

describe("the Responses API guide's openai SDK example", () => {
  it("runs as written: create, continue with previous_response_id, stream, retrieve, delete", async () => {
    const code = guideExample()
      .replace(/^import OpenAI from "openai";$/m, "")
      .replace("http://127.0.0.1:4001/v1", `${h.url}/v1`)
      .replace("sk-runestone-dev", TENANT_KEY);
    const logged: unknown[] = [];
    let written = "";
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<Record<string, OpenAI.Responses.Response>>;
    const run = new AsyncFunction("OpenAI", "console", "process", `${code}\nreturn { first, second, again };`);
    const { first, second, again } = await run(OpenAI, { log: (...a: unknown[]) => logged.push(...a) }, { stdout: { write: (s: string) => (written += s) } });
    expect(logged).toEqual(["echo: My name is Ada."]);
    expect(second!.output_text).toBe("echo: What is my name?");
    expect(second!.previous_response_id).toBe(first!.id);
    expect(written).toBe("echo: Stream this");
    expect(again!.id).toBe(first!.id);
    // The example's last line deleted it.
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
    await expect(client.responses.retrieve(first!.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
