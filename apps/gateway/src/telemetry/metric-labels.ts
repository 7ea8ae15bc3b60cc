// Label values with bounded cardinality: a scraper must never see one series per request id, job id
// or misspelt model name. Routes come from the spec's path templates, models from the catalog,
// statuses from a fixed set, and anything else collapses into "other".

/** Status codes worth their own series; every other code is reported as its class ("3xx", "5xx"). */
const EXACT_STATUSES = new Set([200, 202, 400, 401, 403, 404, 408, 409, 413, 415, 422, 429, 499, 500, 502, 503, 504]);

/** The label value of "no such thing for this request" (e.g. the provider of a request refused before routing). */
export const NONE = "none";
export const OTHER = "other";

export class MetricLabels {
  /** Each path without a parameter, to the spec's own string of it (see route()). */
  private readonly exactRoutes = new Map<string, string>();
  private readonly templatedRoutes: Array<{ template: string; re: RegExp }> = [];
  private readonly models: Set<string>;

  constructor(opts: { routes: Iterable<string>; models: Iterable<string> }) {
    for (const path of opts.routes) {
      if (!path.includes("{")) this.exactRoutes.set(path, path);
      else {
        const pattern = path.split(/\{[^}]+\}/).map(escapeRegExp).join("[^/]+");
        this.templatedRoutes.push({ template: path, re: new RegExp(`^${pattern}$`) });
      }
    }
    this.models = new Set(opts.models);
  }

  /**
   * The spec's template for a path (`/v1/jobs/{job_id}`), else "other". Always the spec's own string, never
   * the request's copy of it (the same characters): the later lookups by route (the metrics' series, the
   * quiet routes, the dashboard's model calls) then get one string whose hash is already known, and the
   * series maps find it by identity rather than comparing characters.
   */
  route(path: string): string {
    const exact = this.exactRoutes.get(path);
    if (exact !== undefined) return exact;
    for (const r of this.templatedRoutes) if (r.re.test(path)) return r.template;
    return OTHER;
  }

  model(id: unknown): string {
    if (typeof id !== "string" || !id) return NONE;
    return this.models.has(id) ? id : OTHER;
  }

  status(code: number): string {
    return EXACT_STATUSES.has(code) ? String(code) : `${Math.floor(code / 100)}xx`;
  }
}

/** The path templates of an OpenAPI document. */
export function specRoutes(doc: Record<string, unknown>): string[] {
  return Object.keys((doc.paths as Record<string, unknown> | undefined) ?? {});
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
