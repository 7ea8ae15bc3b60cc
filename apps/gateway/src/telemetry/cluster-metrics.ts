// RUNESTONE_WORKERS > 1: the kernel hands a scrape to whichever worker accepts the connection, and
// each worker only knows its own requests. So the worker that got the scrape asks the primary, which
// gathers every worker's registry (prom-client's AggregatorRegistry, over the cluster IPC channel)
// and answers one exposition: counters and histograms summed, gauges as each metric declares
// (`aggregator`), process metrics per prom-client's defaults.
import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

const SCRAPE_REQ = "runestone:metrics-scrape";
const SCRAPE_RES = "runestone:metrics-scraped";
/** prom-client gives up on a worker after 5 s; the asking worker waits a little longer than that. */
const SCRAPE_TIMEOUT_MS = 6_000;

interface ScrapeRequest {
  type: typeof SCRAPE_REQ;
  id: number;
}

interface ScrapeResponse {
  type: typeof SCRAPE_RES;
  id: number;
  body?: string;
  error?: string;
}

/** Primary: answers the workers' scrape requests with every worker's metrics, aggregated. */
export function serveClusterScrapes(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, msg: Partial<ScrapeRequest>) => {
    if (msg?.type !== SCRAPE_REQ || typeof msg.id !== "number") return;
    const id = msg.id;
    aggregator.clusterMetrics().then(
      (body) => worker.isConnected() && worker.send({ type: SCRAPE_RES, id, body } satisfies ScrapeResponse),
      (err: unknown) => worker.isConnected() && worker.send({ type: SCRAPE_RES, id, error: err instanceof Error ? err.message : String(err) } satisfies ScrapeResponse),
    );
  });
}

/**
 * Worker: offers `registry` to the primary's aggregation and returns the scrape to use instead of the
 * local one. Rejects when the primary does not answer in time (the route turns that into a 503).
 */
export function clusterScrape(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary's collection requests.
  new AggregatorRegistry();
  let nextId = 0;
  const pending = new Map<number, { resolve: (body: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  process.on("message", (msg: Partial<ScrapeResponse>) => {
    if (msg?.type !== SCRAPE_RES || typeof msg.id !== "number") return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (typeof msg.body === "string") p.resolve(msg.body);
    else p.reject(new Error(`the primary could not gather the workers' metrics: ${msg.error ?? "no answer"}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the primary did not answer the metrics scrape in time"));
      }, SCRAPE_TIMEOUT_MS);
      timer.unref();
      pending.set(id, { resolve, reject, timer });
      process.send!({ type: SCRAPE_REQ, id } satisfies ScrapeRequest);
    });
}
