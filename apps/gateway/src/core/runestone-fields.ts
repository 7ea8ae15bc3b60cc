// Runestone's own request fields: read by routing, never forwarded to a provider, never part of what
// decides an answer (the response cache's key leaves them out too).
export const RUNESTONE_FIELDS = ["provider", "tenant_id", "model_family", "capabilities", "max_cost_per_token", "request_id", "routing_policy"] as const;

/** A copy of a client's body for a provider: `overrides` set (the deployment's model name), Runestone's fields removed. */
export function withoutRunestoneFields<T extends object>(body: T, overrides: Record<string, unknown> = {}): T & Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, ...overrides };
  for (const f of RUNESTONE_FIELDS) delete out[f];
  return out as T & Record<string, unknown>;
}

/** The Runestone fields a body carries, for a routing view of a request that is not chat. */
export function runestoneFieldsOf(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of RUNESTONE_FIELDS) if (body[f] !== undefined) out[f] = body[f];
  return out;
}

