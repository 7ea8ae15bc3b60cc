import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "./index.js";
import { post } from "./testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe("recording", () => {
  it("records method, path, headers, the raw and parsed body, and completion", async () => {
    const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], temperature: 0.2 };
    await (await post(`${mock.url}/v1/chat/completions?x=1`, body, { authorization: "Bearer sk-test" })).json();
    await mock.waitFor((r) => r[0]?.completed === true);
    const [rec] = mock.requests;
    expect(rec).toMatchObject({ id: 1, method: "POST", path: "/v1/chat/completions", body, rawBody: JSON.stringify(body) });
    expect(rec!.headers.authorization).toBe("Bearer sk-test");
    expect(rec!.clientClosedAt).toBeUndefined();
    expect(rec!.receivedAt).toBeLessThanOrEqual(Date.now());
  });

  it("rejects waitFor once its timeout passes", async () => {
    await expect(mock.waitFor((r) => r.length > 0, 20)).rejects.toThrow(/timed out after 20 ms/);
  });

  it("keeps nothing when recording is off", async () => {
    const quiet = await startMockUpstream({ record: false });
    try {
      const res = await post(`${quiet.url}/v1/chat/completions`, { model: "m", messages: [] });
      expect(res.status).toBe(200);
      expect(quiet.requests).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  it("closes promptly even with a stalled request open", async () => {
    const other = await startMockUpstream();
    const pending = post(`${other.url}/v1/chat/completions`, { model: "m::stall=before-headers", messages: [] });
    await other.waitFor((r) => r.length === 1);
    await other.close();
    await expect(pending).rejects.toThrow();
  });
});
