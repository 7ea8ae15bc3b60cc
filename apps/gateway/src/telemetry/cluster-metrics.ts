// RUNESTONE_WORKERS > 1: the kernel hands a scrape to whichever worker accepts the connection, and
// each worker only knows its own requests. So the worker that got the scrape asks the primary, which
// asks every worker that has offered its registry, merges their answers (prom-client's
// AggregatorRegistry.aggregate: counters and histograms summed, gauges as each metric declares with
// `aggregator`) and hands back one exposition. A worker that is still starting (it has not offered
// yet) or does not answer in time is left out rather than failing the scrape, and
// runestone_scrape_workers says how many answered and how many were missing.
import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from "prom-client";

const OFFER = "runestone:metrics-offer";
const SCRAPE_REQ = "runestone:metrics-scrape";
const SCRAPE_RES = "runestone:metrics-scraped";
const COLLECT_REQ = "runestone:metrics-collect";
const COLLECT_RES = "runestone:metrics-collected";
/** How long the primary waits for the workers' registries. */
const COLLECT_TIMEOUT_MS = 3_000;
/** How long a worker waits for the primary's answer (the collection plus a margin). */
const SCRAPE_TIMEOUT_MS = COLLECT_TIMEOUT_MS + 2_000;

type Metrics = MetricObjectWithValues<MetricValue<string>>[];
type Message = { type?: string; id?: number; body?: string; error?: string; metrics?: Metrics };

interface Collection {
  parts: Metrics[];
  waiting: Set<number>;
  finish(): void;
}

/** Primary: answers the workers' scrape requests with every worker's metrics, merged. */
export function serveClusterScrapes(): void {
  const offered = new Set<number>();
  const collections = new Map<number, Collection>();
  let nextId = 0;

  const collect = (asker: Worker, askId: number) => {
    const id = nextId++;
    const targets = [...offered].map((w) => cluster.workers?.[w]).filter((w): w is Worker => Boolean(w?.isConnected()));
    let finished = false;
    const c: Collection = {
      parts: [],
      waiting: new Set(targets.map((w) => w.id)),
      finish: () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        collections.delete(id);
        const missing = c.waiting.size;
        const answer = (msg: Message) => asker.isConnected() && asker.send({ type: SCRAPE_RES, id: askId, ...msg });
        AggregatorRegistry.aggregate(c.parts)
          .metrics()
          .then((body) => answer({ body: (body && !body.endsWith("\n") ? `${body}\n` : body) + coverage(c.parts.length, missing) }))
          .catch((err: unknown) => answer({ error: err instanceof Error ? err.message : String(err) }));
      },
    };
    const timer = setTimeout(c.finish, COLLECT_TIMEOUT_MS);
    collections.set(id, c);
    for (const w of targets) w.send({ type: COLLECT_REQ, id });
    if (!targets.length) c.finish();
  };

  cluster.on("message", (worker, msg: Message) => {
    if (msg?.type === OFFER) offered.add(worker.id);
    else if (msg?.type === SCRAPE_REQ && typeof msg.id === "number") collect(worker, msg.id);
    else if (msg?.type === COLLECT_RES && typeof msg.id === "number") {
      const c = collections.get(msg.id);
      if (!c || !c.waiting.delete(worker.id)) return;
      c.parts.push(msg.metrics ?? []);
      if (!c.waiting.size) c.finish();
    }
  });
  cluster.on("exit", (worker) => {
    offered.delete(worker.id);
    for (const c of [...collections.values()]) if (c.waiting.delete(worker.id) && !c.waiting.size) c.finish();
  });
}

/**
 * Worker: offers `registry` to the primary's collections and returns the scrape to use instead of the
 * local one. Rejects when the primary does not answer in time (the route turns that into a 503).
 */
export function clusterScrape(registry: Registry): () => Promise<string> {
  let nextId = 0;
  const pending = new Map<number, { resolve: (body: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  process.on("message", (msg: Message) => {
    if (msg?.type === COLLECT_REQ && typeof msg.id === "number") {
      const id = msg.id;
      registry.getMetricsAsJSON().then(
        (metrics) => process.send?.({ type: COLLECT_RES, id, metrics }),
        () => process.send?.({ type: COLLECT_RES, id, metrics: [] }),
      );
      return;
    }
    if (msg?.type !== SCRAPE_RES || typeof msg.id !== "number") return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (typeof msg.body === "string") p.resolve(msg.body);
    else p.reject(new Error(`the primary could not gather the workers' metrics: ${msg.error ?? "no answer"}`));
  });
  process.send?.({ type: OFFER });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the primary did not answer the metrics scrape in time"));
      }, SCRAPE_TIMEOUT_MS);
      timer.unref();
      pending.set(id, { resolve, reject, timer });
      process.send!({ type: SCRAPE_REQ, id });
    });
}

function coverage(answered: number, missing: number): string {
  return [
    "# HELP runestone_scrape_workers Worker processes whose metrics this scrape includes (answered) or lacks (missing: starting or too slow).",
    "# TYPE runestone_scrape_workers gauge",
    `runestone_scrape_workers{state="answered"} ${answered}`,
    `runestone_scrape_workers{state="missing"} ${missing}`,
    "",
  ].join("\n");
}
