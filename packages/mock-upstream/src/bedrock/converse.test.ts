import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../server.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${mock.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const ask = { messages: [{ role: "user", content: [{ text: "hello there" }] }] };

/** Splits an event-stream body into its frames by their length prelude, and decodes each with the SDK's codec. */
function decodeFrames(bytes: Uint8Array): Array<{ type: string; payload: Record<string, unknown> }> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const out = [];
  for (let at = 0; at < bytes.length; ) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
    const msg = codec.decode(bytes.subarray(at, at + len));
    out.push({ type: String(msg.headers[":event-type"]?.value ?? msg.headers[":exception-type"]?.value), payload: JSON.parse(toUtf8(msg.body)) as Record<string, unknown> });
    at += len;
  }
  return out;
}

describe("bedrock Converse routes", () => {
  it("answers Converse JSON with the echo, end_turn and usage", async () => {
    const res = await post("/model/anthropic.claude-v2%3A1/converse", ask);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      output: { message: { role: "assistant", content: [{ text: "echo: hello there" }] } },
      stopReason: "end_turn",
      usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 },
    });
  });

  it("streams ConverseStream as event-stream frames, ending with messageStop and metadata", async () => {
    const res = await post("/model/m1/converse-stream", ask);
    expect(res.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    const frames = decodeFrames(new Uint8Array(await res.arrayBuffer()));
    expect(frames.map((f) => f.type)).toStrictEqual(["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"]);
    expect(frames.filter((f) => f.type === "contentBlockDelta").map((f) => (f.payload.delta as { text: string }).text).join("")).toBe("echo: hello there");
    expect(frames[5]!.payload).toStrictEqual({ stopReason: "end_turn" });
  });

  it("answers a tool call when tools are given, and an error with x-amzn-errortype on demand", async () => {
    const tool = await post("/model/m1/converse", { ...ask, toolConfig: { tools: [{ toolSpec: { name: "f", inputSchema: { json: {} } } }] } });
    expect(await tool.json()).toMatchObject({ stopReason: "tool_use", output: { message: { content: [{ toolUse: { name: "f", input: { input: "hello there" } } }] } } });
    const err = await post("/model/m1/converse", ask, { "x-mock-behavior": JSON.stringify({ status: 429 }) });
    expect(err.status).toBe(429);
    expect(err.headers.get("x-amzn-errortype")).toMatch(/^ThrottlingException:/);
    expect(await err.json()).toStrictEqual({ message: "mock ThrottlingException" });
  });

  it("refuses toolUse and toolResult blocks without a toolConfig with a 400 ValidationException, as Bedrock does", async () => {
    const history = {
      messages: [
        ...ask.messages,
        { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "f", input: {} } }] },
        { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ text: "ok" }] } }] },
      ],
    };
    const res = await post("/model/m1/converse", history);
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toMatch(/^ValidationException:/);
    expect(await res.json()).toStrictEqual({ message: "The toolConfig field must be defined when using toolUse and toolResult content blocks." });
    const declared = await post("/model/m1/converse", { ...history, toolConfig: { tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "object" } } } }] } });
    expect(declared.status).toBe(200);
  });

  it("refuses a temperature outside 0..1 with a 400 ValidationException, as Bedrock does", async () => {
    const res = await post("/model/m1/converse", { ...ask, inferenceConfig: { temperature: 1.5 } });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toMatch(/^ValidationException:/);
    expect(((await res.json()) as { message: string }).message).toContain("inferenceConfig.temperature");
    expect((await post("/model/m1/converse", { ...ask, inferenceConfig: { temperature: 1 } })).status).toBe(200);
  });

  it("refuses blank text, in a message or a tool result, with a 400 ValidationException naming the block, as Bedrock does", async () => {
    const blank = await post("/model/m1/converse", { messages: [{ role: "user", content: [{ text: "hi" }, { text: " \n" }] }] });
    expect(blank.status).toBe(400);
    expect(blank.headers.get("x-amzn-errortype")).toMatch(/^ValidationException:/);
    expect(((await blank.json()) as { message: string }).message).toBe("The text field in the ContentBlock object at messages.0.content.1 is blank. Add text to the text field, and try again.");
    const result = await post("/model/m1/converse", {
      messages: [
        ...ask.messages,
        { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "f", input: {} } }] },
        { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ text: "" }] } }] },
      ],
      toolConfig: { tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "object" } } } }] },
    });
    expect(result.status).toBe(400);
    expect(((await result.json()) as { message: string }).message).toContain("messages.2.content.0.toolResult.content.0 is blank");
  });

  it("answers a Converse rawBody verbatim, as JSON", async () => {
    const raw = JSON.stringify({ output: { message: { role: "assistant", content: [] } }, stopReason: "malformed_model_output" });
    const res = await post("/model/m1/converse", ask, { "x-mock-behavior": JSON.stringify({ rawBody: raw }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(raw);
  });

  it("refuses a toolUseId outside [a-zA-Z0-9_.:-]{1,64} with a 400 ValidationException, as Bedrock does", async () => {
    const withId = (id: string) => ({
      messages: [
        ...ask.messages,
        { role: "assistant", content: [{ toolUse: { toolUseId: id, name: "f", input: {} } }] },
        { role: "user", content: [{ toolResult: { toolUseId: id, content: [{ text: "ok" }] } }] },
      ],
      toolConfig: { tools: [{ toolSpec: { name: "f", inputSchema: { json: { type: "object" } } } }] },
    });
    for (const bad of ["__thought__ab+/c=", "x".repeat(65)]) {
      const res = await post("/model/m1/converse", withId(bad));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain("toolUse.toolUseId");
    }
    expect((await post("/model/m1/converse", withId("tooluse_a.b:c-d"))).status).toBe(200);
  });

  it("answers JSON text when outputConfig asks for a JSON schema", async () => {
    const res = await post("/model/m1/converse", { ...ask, outputConfig: { textFormat: { type: "json_schema", structure: { jsonSchema: { schema: '{"type":"object"}' } } } } });
    const body = (await res.json()) as { output: { message: { content: Array<{ text: string }> } } };
    expect(JSON.parse(body.output.message.content[0]!.text)).toStrictEqual({ echo: "hello there" });
  });
});
