// The response cache's key: the tenant and one SHA-256 of the canonical request body. Canonical means
// sorted object keys at every depth (two clients that order their JSON differently share an entry), the
// model replaced by the catalog model routing resolved it to (an alias and its target share an entry), and
// without what does not change the answer: `stream` and `stream_options` (a JSON answer can be replayed to
// a stream and back) and Runestone's own routing fields. A request without a model (routed by cost) keys on
// its routing constraints as sent instead, since they decide which model answers.
import { createHash } from "node:crypto";

/** Runestone's fields that never change an answer's content (the request's id, the usage label). */
const ALWAYS_OUT = new Set(["stream", "stream_options", "request_id", "tenant_id"]);
/** Routing fields: they only pick a deployment of the resolved model, when there is one. */
const ROUTING = new Set(["provider", "routing_policy", "model_family", "capabilities", "max_cost_per_token"]);

export function cacheKey(tenantId: string, body: Record<string, unknown>, resolvedModel: string | undefined): string {
  const h = createHash("sha256");
  h.update(tenantId);
  h.update("\u0000");
  const keys = Object.keys(body).sort();
  h.update("{");
  for (const k of keys) {
    if (ALWAYS_OUT.has(k)) continue;
    if (resolvedModel !== undefined && ROUTING.has(k)) continue;
    const v = k === "model" && resolvedModel !== undefined ? resolvedModel : body[k];
    if (v === undefined) continue;
    h.update(JSON.stringify(k));
    h.update(":");
    h.update(canonicalJson(v));
    h.update(",");
  }
  h.update("}");
  // The tenant id stays readable in the key (Redis keyspace, debugging); the hash alone names the request.
  return `${tenantId}:${h.digest("base64url")}`;
}

/** JSON with object keys sorted at every depth; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : canonicalJson(x))).join(",")}]`;
  const o = v as Record<string, unknown>;
  let out = "{";
  let first = true;
  for (const k of Object.keys(o).sort()) {
    const x = o[k];
    if (x === undefined || typeof x === "function") continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${canonicalJson(x)}`;
    first = false;
  }
  return `${out}}`;
}
