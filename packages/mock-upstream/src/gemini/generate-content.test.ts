import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { parseSse, post } from "../testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const base = () => `${mock.url}/v1beta/models/gemini-x`;
const ask = { contents: [{ role: "user", parts: [{ text: "a b c" }] }] };

describe("Gemini generateContent", () => {
  it("answers the echo as a candidate with usageMetadata, and records the path", async () => {
    const res = await post(`${base()}:generateContent`, ask);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      candidates: [{ content: { role: "model", parts: [{ text: "echo: a b c" }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 6, candidatesTokenCount: 4, totalTokenCount: 10 },
      modelVersion: "gemini-x",
    });
    expect(mock.requests.at(-1)!.path).toBe("/v1beta/models/gemini-x:generateContent");
  });

  it("streams text chunks then a last event with finishReason and usageMetadata", async () => {
    const res = await post(`${base()}:streamGenerateContent?alt=sse`, ask);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const data = parseSse(await res.text()).map((e) => JSON.parse(e.data));
    expect(data.map((d) => d.candidates[0].content.parts[0].text)).toStrictEqual(["echo: ", "a ", "b ", "c", ""]);
    expect(data.at(-1)).toMatchObject({ candidates: [{ finishReason: "STOP" }], usageMetadata: { candidatesTokenCount: 4 } });
    expect(data.slice(0, -1).every((d) => d.usageMetadata === undefined && d.candidates[0].finishReason === undefined)).toBe(true);
  });

  it("calls the declared function, and answers Google's error shape for a status behaviour", async () => {
    const tools = [{ functionDeclarations: [{ name: "lookup" }] }];
    const res = await post(`${base()}:generateContent`, { ...ask, tools });
    expect((await res.json()).candidates[0].content.parts).toStrictEqual([{ functionCall: { name: "lookup", args: { input: "a b c" } } }]);
    const err = await post(`${base()}:generateContent`, ask, { "x-mock-behavior": JSON.stringify({ status: 429 }) });
    expect(err.status).toBe(429);
    expect(await err.json()).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
  });

  it("returns the thinking as thought parts only with thinkingConfig.includeThoughts, counts it unless thinkingBudget is 0", async () => {
    const thinking = { reply: { thinking: { text: "weigh it up", signature: "s" } } };
    const headers = { "x-mock-behavior": JSON.stringify(thinking) };
    const partsOf = async (generationConfig?: object) => {
      const res = await post(`${base()}:generateContent`, { ...ask, ...(generationConfig ? { generationConfig } : {}) }, headers);
      const json = await res.json();
      return { parts: json.candidates[0].content.parts, thoughts: json.usageMetadata.thoughtsTokenCount };
    };
    expect(await partsOf({ thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } })).toStrictEqual({
      parts: [{ text: "weigh it up", thought: true }, { text: "echo: a b c" }],
      thoughts: 3,
    });
    expect(await partsOf()).toStrictEqual({ parts: [{ text: "echo: a b c" }], thoughts: 3 });
    expect(await partsOf({ thinkingConfig: { thinkingBudget: 0 } })).toStrictEqual({ parts: [{ text: "echo: a b c" }], thoughts: undefined });

    const streamed = async (generationConfig?: object) => {
      const res = await post(`${base()}:streamGenerateContent?alt=sse`, { ...ask, ...(generationConfig ? { generationConfig } : {}) }, headers);
      return parseSse(await res.text()).flatMap((e) => JSON.parse(e.data).candidates[0].content.parts.filter((p: { thought?: boolean }) => p.thought));
    };
    expect(await streamed({ thinkingConfig: { includeThoughts: true } })).toStrictEqual([{ text: "weigh it up", thought: true }]);
    expect(await streamed()).toStrictEqual([]);
  });

  it("refuses a thinkingBudget the model does not take with Google's 400: 0 or below 128 on a Pro model, 1-511 on Flash-Lite", async () => {
    const budget = async (model: string, thinkingBudget: number) => {
      const res = await post(`${mock.url}/v1beta/models/${model}:generateContent`, { ...ask, generationConfig: { thinkingConfig: { thinkingBudget } } });
      return res.status === 200 ? 200 : ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(await budget("gemini-2.5-pro", 0)).toBe("Budget 0 is invalid. This model only works in thinking mode.");
    expect(await budget("gemini-3-pro-preview", 0)).toBe("Budget 0 is invalid. This model only works in thinking mode.");
    expect(await budget("gemini-2.5-pro", 100)).toBe("The thinking budget 100 is invalid. Please choose a value between 128 and 32768.");
    expect(await budget("gemini-2.5-pro", 128)).toBe(200);
    expect(await budget("gemini-2.5-pro", -1)).toBe(200);
    expect(await budget("gemini-2.5-flash-lite", 511)).toBe("The thinking budget 511 is invalid. Please choose a value between 512 and 24576.");
    expect(await budget("gemini-2.5-flash-lite", 0)).toBe(200);
    expect(await budget("gemini-2.5-flash-lite", 512)).toBe(200);
    expect(await budget("gemini-2.5-flash", 0)).toBe(200);
    expect(await budget("gemini-2.5-flash", 1)).toBe(200);
  });

  it("embeds up to 100 requests in one batchEmbedContents call and refuses 101 with Google's 400", async () => {
    const requests = (n: number) => Array.from({ length: n }, (_, i) => ({ model: "models/gemini-x", content: { parts: [{ text: `t${i}` }] } }));
    const ok = await post(`${base()}:batchEmbedContents`, { requests: requests(100) });
    expect(ok.status).toBe(200);
    expect((await ok.json()).embeddings).toHaveLength(100);
    const tooMany = await post(`${base()}:batchEmbedContents`, { requests: requests(101) });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toStrictEqual({
      error: { code: 400, status: "INVALID_ARGUMENT", message: "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch" },
    });
  });

  it("refuses a non-string enum member in a function's parameters or the response schema with Google's 400, as the service does", async () => {
    const parameters = { type: "object", properties: { city: { type: "string", enum: ["Paris"] }, level: { type: "integer", enum: [1, 2] } } };
    const res = await post(`${base()}:generateContent`, { ...ask, tools: [{ functionDeclarations: [{ name: "f", parameters }] }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toStrictEqual({
      error: { code: 400, status: "INVALID_ARGUMENT", message: "Invalid value at 'tools[0].function_declarations[0].parameters.properties[1].value.enum[0]' (TYPE_STRING), 1" },
    });
    const schema = { type: "object", properties: { ok: { type: "array", items: { type: "boolean", enum: [true] } } } };
    const bad = await post(`${base()}:generateContent`, { ...ask, generationConfig: { responseMimeType: "application/json", responseSchema: schema } });
    expect((await bad.json()).error.message).toBe("Invalid value at 'generation_config.response_schema.properties[0].value.items.enum[0]' (TYPE_STRING), true");
    const strings = await post(`${base()}:generateContent`, { ...ask, tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "object", properties: { city: { type: "string", enum: ["Paris"] } } } }] }] });
    expect(strings.status).toBe(200);
  });
});
