// The response cache's key: the tenant, the canonical request body and the deployment that answers it.
//
// Canonical means sorted object keys at every depth (two clients that order their JSON differently share an
// entry), without what never reaches a provider or never changes the answer: `stream` and `stream_options`
// (a JSON answer can be replayed to a stream and back), `model`, and Runestone's own fields (the routing
// fields, `request_id`, `tenant_id`: core/runestone-fields.ts, which also strips them from what is forwarded).
//
// The model and the routing fields are replaced by what they decide: the deployment (catalog model id,
// provider id, upstream model) that answers. A lookup keys on the route plan's first candidate (the one the
// request would call), an answer is stored under the candidate that made it (after a fallback, not the first).
// So the same name served by two providers (`provider` on the request, `model_patterns`) never shares an
// answer, a pinned provider or another policy that puts another deployment first misses, and a tenant whose
// `allowed_models` leaves a deployment out never meets that deployment's answers: its route plan has none.
//
// The key is an HMAC under a per-deployment secret (cache-key-secret.ts), not a plain hash: someone reading
// Redis cannot confirm a guessed prompt by hashing it. The body's SHA-256 only lives in this process.
import { createHash, createHmac } from "node:crypto";
import { RUNESTONE_FIELDS } from "../core/runestone-fields";

/** Who answers (a route plan's `Candidate` is one): what, beyond the body, decides the answer. */
export interface ServedBy {
  model: { id: string };
  provider: { id: string };
  upstreamModel: string;
}

/** Fields that never reach a provider (Runestone's own) or never change the answer's content. */
const LEFT_OUT = new Set<string>(["model", "stream", "stream_options", ...RUNESTONE_FIELDS]);

/** SHA-256 of the canonical body without the fields above: computed once per request, kept in memory only. */
export function bodyDigest(body: Record<string, unknown>): Buffer {
  const h = createHash("sha256");
  h.update("{");
  for (const k of Object.keys(body).sort()) {
    if (LEFT_OUT.has(k)) continue;
    const v = body[k];
    if (v === undefined) continue;
    h.update(JSON.stringify(k));
    h.update(":");
    h.update(canonicalJson(v));
    h.update(",");
  }
  h.update("}");
  return h.digest();
}

/** The stored key: the tenant id in clear (Redis keyspace, debugging), then HMAC(secret, tenant, body, deployment). */
export function cacheKey(secret: Buffer, tenantId: string, digest: Buffer, by: ServedBy): string {
  const h = createHmac("sha256", secret);
  // JSON strings cannot contain a raw NUL, and ids are JSON-encoded: the parts cannot run into each other.
  h.update(JSON.stringify([tenantId, by.model.id, by.provider.id, by.upstreamModel]));
  h.update("\u0000");
  h.update(digest);
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
