import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { post } from "../testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const chatPath = "/openai/deployments/dep-1/chat/completions";
const body = { messages: [{ role: "user", content: "a b" }] };

describe("Azure OpenAI deployment routes", () => {
  it("answer chat with OpenAI's reply and record the query and the api-key header", async () => {
    const res = await post(`${mock.url}${chatPath}?api-version=2024-10-21`, body, { "api-key": "k1" });
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe("echo: a b");
    expect(mock.requests[0]).toMatchObject({ path: chatPath, url: `${chatPath}?api-version=2024-10-21`, headers: { "api-key": "k1" } });
  });

  it("answer embeddings at the deployment's embeddings path", async () => {
    const res = await post(`${mock.url}/openai/deployments/emb/embeddings?api-version=2024-10-21`, { input: "hi" }, { "api-key": "k1" });
    expect(res.status).toBe(200);
    expect((await res.json()).data[0].embedding).toHaveLength(8);
  });

  it("refuse a call without api-version (404) or without api-key (401), as Azure does", async () => {
    const noVersion = await post(`${mock.url}${chatPath}`, body, { "api-key": "k1" });
    expect(noVersion.status).toBe(404);
    expect((await noVersion.json()).error.code).toBe("404");
    const noKey = await post(`${mock.url}${chatPath}?api-version=2024-10-21`, body, { authorization: "Bearer k1" });
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.code).toBe("401");
  });

  it("do not answer other deployment paths or methods", async () => {
    expect((await post(`${mock.url}/openai/deployments/dep-1/completions?api-version=1`, body, { "api-key": "k1" })).status).toBe(404);
    expect((await fetch(`${mock.url}${chatPath}?api-version=1`, { headers: { "api-key": "k1" } })).status).toBe(404);
  });
});
