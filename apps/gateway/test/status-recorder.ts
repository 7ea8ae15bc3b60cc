// Records every response a test receives as (method, route template, status), so that a test can check each
// pair against the bundled spec: every status the server returns must be declared for its operation.
import { openapiDocument } from "@runestone/contract";

export interface Seen {
  method: string;
  /** The spec's path template, e.g. `/v1/jobs/{job_id}`; undefined for a path the spec does not have. */
  template: string | undefined;
  path: string;
  status: number;
  headers: Headers;
}

type Operation = { responses?: Record<string, unknown> };
const paths = (openapiDocument as unknown as { paths: Record<string, Record<string, Operation>> }).paths;
const METHODS = ["get", "put", "post", "delete", "patch"];

const routes = Object.keys(paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
}));

export function templateOf(path: string): string | undefined {
  const bare = path.split("?")[0]!;
  return routes.find((r) => r.pattern.test(bare))?.template;
}

/** A fetch that remembers every answer it got. */
export function statusRecorder(base: string) {
  const seen: Seen[] = [];
  return {
    seen,
    async fetch(path: string, init: RequestInit = {}): Promise<Response> {
      const res = await fetch(`${base}${path}`, init);
      seen.push({ method: (init.method ?? "GET").toUpperCase(), template: templateOf(path), path, status: res.status, headers: res.headers });
      return res;
    },
  };
}

/**
 * What the spec fails to declare among what was seen: a status missing from its operation's responses, or, for a
 * method the path does not have (405), a path whose operations do not all declare 405.
 */
export function undeclared(seen: Seen[]): string[] {
  const out = new Set<string>();
  for (const s of seen) {
    if (!s.template) continue; // routes outside the contract (unknown paths, /docs) are not operations
    const item = paths[s.template]!;
    const op = item[s.method.toLowerCase()];
    if (op) {
      if (!op.responses || !(String(s.status) in op.responses || "default" in op.responses)) out.add(`${s.method} ${s.template} -> ${s.status}`);
      continue;
    }
    const ops = METHODS.filter((m) => m in item).map((m) => item[m]!);
    if (s.status !== 405 || !ops.every((o) => o.responses && "405" in o.responses)) out.add(`${s.method} ${s.template} (no such operation) -> ${s.status}`);
  }
  return [...out].sort();
}
