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
});
