// admitChat's lease must be released whatever happens after it is taken: a response already answered
// (its x-ratelimit-* headers can no longer be set) once leaked the tenant's slot for good.
import express from "express";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../core/tenant";
import { admitChat } from "./chat-admission";
import { MemoryAdmission } from "./memory-admission";

const tenant: Tenant = { id: "t-one-slot", limits: { max_concurrent: 1, requests_per_minute: 100 }, overflow: "reject" };

describe("admitChat", () => {
  it("does not throw on a response already answered and still releases the lease when it closes", async () => {
    const admission = new MemoryAdmission(10);
    let outcome: Promise<unknown> | undefined;
    const app = express();
    app.post("/", (_req, res) => {
      res.status(408).json({ error: "answered before admission" });
      outcome = admitChat(admission, undefined, res, tenant, { tokens: 0, promptTokens: 0, candidates: [] }).then(
        (r) => r.admitted,
        (err: unknown) => err,
      );
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: "POST" });
      expect(res.status).toBe(408);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBeNull();
      await res.text();
      expect(await outcome).toBe(true);
      // The release runs on close and is asynchronous: the one slot comes back within a bounded wait.
      const until = Date.now() + 5_000;
      let again = admission.admitSync({ tenant, estimatedTokens: 0 });
      while (!again.admitted && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
        again = admission.admitSync({ tenant, estimatedTokens: 0 });
      }
      expect(again.admitted).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
