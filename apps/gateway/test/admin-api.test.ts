// The admin API in embedded mode: create a key (secret shown once), use it, list keys without
// secrets, revoke it (refused at once), set a tenant's limits, keys acting for another tenant,
// who may call it (admin key only), and that keys and limits survive a restart on the same file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, api, chat, KEYS, limitsConfigYaml, startInstances, tempSqlitePath, type Instances } from "./limits-harness";

let gw: Instances;
let url: string;
const db = tempSqlitePath();
const yaml = (u: string) => limitsConfigYaml(u, `{ sqlite_path: ${db.path} }`);

beforeAll(async () => {
  gw = await startInstances(1, yaml);
  url = gw.urls[0]!;
});

afterAll(async () => {
  await gw.close();
  db.cleanup();
});

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  tenant_id: string;
  revoked: boolean;
}

async function createKey(body: Record<string, unknown>): Promise<CreatedKey> {
  const res = await api(url, ADMIN_KEY, "POST", "/v1/admin/keys", body);
  expect(res.status).toBe(201);
  return (await res.json()) as CreatedKey;
}

describe("who may call the admin API", () => {
  it("answers 401 without a key or with an unknown one", async () => {
    expect((await api(url, undefined, "GET", "/v1/admin/keys")).status).toBe(401);
    const res = await api(url, "sk-not-a-key-0123456789", "GET", "/v1/admin/keys");
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
  });

  it("answers 403 permission_error to a tenant key", async () => {
    const res = await api(url, KEYS.alpha, "POST", "/v1/admin/keys", { tenant_id: "alpha" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("permission_error");
  });

  it("does not let the admin key make chat requests", async () => {
    const res = await chat(url, ADMIN_KEY);
    expect(res.status).toBe(403);
  });
});

describe("keys", () => {
  it("creates a key whose secret works at once and is never shown again", async () => {
    const created = await createKey({ tenant_id: "alpha", name: "ci" });
    expect(created.key).toMatch(/^sk-rs-[0-9A-Za-z]{40}$/);
    expect(created.prefix).toBe(created.key.slice(0, 10));
    const res = await chat(url, created.key);
    expect(res.status).toBe(200);
    await res.text();
    const list = await api(url, ADMIN_KEY, "GET", "/v1/admin/keys?tenant_id=alpha");
    const text = await list.text();
    expect(text).not.toContain(created.key);
    const listed = (JSON.parse(text) as { data: Array<Record<string, unknown>> }).data.find((k) => k.id === created.id)!;
    expect(listed).toMatchObject({ tenant_id: "alpha", name: "ci", prefix: created.prefix, revoked: false });
    expect(listed.key).toBeUndefined();
    expect(JSON.stringify(listed)).not.toMatch(/[0-9a-f]{64}/);
  });

  it("makes a revoked key fail with 401 on the very next request", async () => {
    const created = await createKey({ tenant_id: "beta" });
    expect((await chat(url, created.key)).status).toBe(200);
    const revoked = await api(url, ADMIN_KEY, "DELETE", `/v1/admin/keys/${created.id}`);
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revoked: boolean }).revoked).toBe(true);
    const after = await chat(url, created.key);
    expect(after.status).toBe(401);
  });

  it("answers 404 for an unknown key id or tenant", async () => {
    expect((await api(url, ADMIN_KEY, "DELETE", "/v1/admin/keys/key_nope")).status).toBe(404);
    expect((await api(url, ADMIN_KEY, "POST", "/v1/admin/keys", { tenant_id: "nobody" })).status).toBe(404);
    expect((await api(url, ADMIN_KEY, "GET", "/v1/admin/tenants/nobody/limits")).status).toBe(404);
  });

  it("applies a key's own limits on top of its tenant's", async () => {
    const created = await createKey({ tenant_id: "alpha", limits: { requests_per_minute: 2 } });
    const results = await Promise.all([0, 1, 2, 3].map(() => chat(url, created.key)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
    const refused = results.find((r) => r.status === 429)!;
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("this API key");
  });

  it("lets a key act for a tenant it was created for, under that tenant's limits", async () => {
    const created = await createKey({ tenant_id: "alpha", act_for: ["rpm"] });
    const res = await chat(url, created.key, { tenant_id: "rpm" });
    expect(res.status).toBe(200);
    // The rpm tenant's limit (5 per minute) applies, not alpha's (none).
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("5");
    // A tenant it may not act for is only a label in its own tenant: alpha's limits, not beta's, and no 403
    // that would tell that beta exists.
    const other = await chat(url, created.key, { tenant_id: "beta" });
    expect(other.status).toBe(200);
    expect(other.headers.get("x-ratelimit-limit-requests")).not.toBe("5");
    await other.text();
  });
});

describe("tenant limits", () => {
  it("overrides the config's limits for new requests, and falls back to them when cleared", async () => {
    const get = await api(url, ADMIN_KEY, "GET", "/v1/admin/tenants/beta/limits");
    expect(await get.json()).toMatchObject({ tenant_id: "beta", config: {}, overrides: {} });
    const put = await api(url, ADMIN_KEY, "PUT", "/v1/admin/tenants/beta/limits", { requests_per_minute: 100, tokens_per_minute: 50000 });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ effective: { requests_per_minute: 100, tokens_per_minute: 50000 } });
    const res = await chat(url, KEYS.beta);
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("100");
    expect(res.headers.get("x-ratelimit-limit-tokens")).toBe("50000");
    await api(url, ADMIN_KEY, "PUT", "/v1/admin/tenants/beta/limits", { tokens_per_minute: 40000 });
    const again = await chat(url, KEYS.beta);
    expect(again.headers.get("x-ratelimit-limit-requests")).toBeNull();
    expect(again.headers.get("x-ratelimit-limit-tokens")).toBe("40000");
  });

  it("rejects a limit below 1 with 400", async () => {
    const res = await api(url, ADMIN_KEY, "PUT", "/v1/admin/tenants/beta/limits", { requests_per_minute: 0 });
    expect(res.status).toBe(400);
  });
});

describe("persistence", () => {
  it("keeps created keys, revocations and limit overrides across a restart on the same SQLite file", async () => {
    const kept = await createKey({ tenant_id: "alpha" });
    const gone = await createKey({ tenant_id: "alpha" });
    await api(url, ADMIN_KEY, "DELETE", `/v1/admin/keys/${gone.id}`);
    await api(url, ADMIN_KEY, "PUT", "/v1/admin/tenants/alpha/limits", { requests_per_minute: 77 });
    await gw.close();
    gw = await startInstances(1, yaml);
    url = gw.urls[0]!;
    const ok = await chat(url, kept.key);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-ratelimit-limit-requests")).toBe("77");
    expect((await chat(url, gone.key)).status).toBe(401);
  });
});
