// Discovery: for providers configured with `discover: true`, the model ids their own `GET /models` lists,
// fetched at startup and refreshed in the background. GET /v1/models reads the cache and never waits on an
// upstream; a failed refresh keeps the previous list.
import type { RunestoneConfig } from "../config/schema";
import { DEFAULT_UPSTREAM_LIMITS } from "../config/upstream-limits";
import { readCapped } from "../providers/upstream-limits";

const REFRESH_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 10_000;
/** A misbehaving upstream cannot make a listing unbounded. */
const MAX_MODELS_PER_PROVIDER = 2_000;

interface Target {
  id: string;
  url: string;
  headers: Record<string, string>;
}

export class ModelDiscovery {
  private readonly targets: Target[] = [];
  private readonly lists = new Map<string, string[]>();
  /** A listing is an upstream answer like any other: read up to server.max_upstream_response_bytes, never buffered past it. */
  private readonly maxBytes: number;
  private timer?: NodeJS.Timeout;
  private first?: Promise<void>;

  constructor(config: RunestoneConfig, private readonly onError: (provider: string, err: unknown) => void = () => undefined) {
    this.maxBytes = config.server?.max_upstream_response_bytes ?? DEFAULT_UPSTREAM_LIMITS.maxResponseBytes;
    for (const [id, p] of Object.entries(config.providers)) {
      if (!p.discover || !p.api_key || !p.base_url || p.type === "mock") continue;
      const base = p.base_url.replace(/\/+$/, "");
      // Anthropic's base URL has no /v1 (its Messages path is /v1/messages); OpenAI-shaped ones end in it.
      const url = p.type === "anthropic" ? `${base}/v1/models?limit=1000` : `${base}/models`;
      const auth: Record<string, string> =
        p.type === "anthropic" ? { "x-api-key": p.api_key, "anthropic-version": "2023-06-01" } : { authorization: `Bearer ${p.api_key}` };
      this.targets.push({ id, url, headers: { ...p.headers, ...auth, accept: "application/json" } });
    }
  }

  /** Fetches every list now, then every 10 minutes (the timer does not keep the process alive). */
  start(): Promise<void> {
    if (!this.targets.length) return Promise.resolve();
    this.first ??= this.refresh();
    this.timer ??= setInterval(() => void this.refresh(), REFRESH_MS).unref();
    return this.first;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The provider's last fetched model ids (empty until the first fetch answers). */
  list(provider: string): readonly string[] {
    return this.lists.get(provider) ?? [];
  }

  providers(): string[] {
    return this.targets.map((t) => t.id);
  }

  async refresh(): Promise<void> {
    await Promise.all(
      this.targets.map(async (t) => {
        try {
          const res = await fetch(t.url, { headers: t.headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
          if (!res.ok) throw new Error(`GET /models answered HTTP ${res.status}`);
          const body = JSON.parse(await readCapped(chunksOf(res), this.maxBytes, res.headers.get("content-length") ?? undefined)) as { data?: Array<{ id?: unknown }> };
          const ids = (Array.isArray(body?.data) ? body.data : []).flatMap((m) => (typeof m?.id === "string" && m.id ? [m.id] : []));
          this.lists.set(t.id, [...new Set(ids)].slice(0, MAX_MODELS_PER_PROVIDER));
        } catch (err) {
          this.onError(t.id, err);
        }
      }),
    );
  }
}

/** A fetch answer's body as readCapped reads it. Leaving the loop early cancels the stream; `destroy` covers a body never read. */
function chunksOf(res: globalThis.Response): AsyncIterable<unknown> & { destroy(): void } {
  const stream = res.body;
  return {
    async *[Symbol.asyncIterator]() {
      if (stream) yield* stream;
    },
    destroy() {
      if (stream && !stream.locked) void stream.cancel().catch(() => undefined);
    },
  };
}
