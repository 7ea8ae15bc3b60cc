// The gateway's layers, stated once and checked on every test run. Each top-level folder (or file) of src/
// sits on a floor; an import may only point to its own folder or to a lower floor, so arrows only point
// down and no two folders can import each other. Folders on one floor are siblings: they may not import
// each other either. A new folder fails here until it is given a floor. apps/gateway/README.md ("Layers")
// tells the same order in prose; change both together.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** Lowest floor first. The single source of the layer order: one line of why per folder. */
const FLOORS: Array<Record<string, string>> = [
  {
    config: "the operator's config schema and its types, model-name globs; imports nothing from src/",
    version: "the build's version string",
  },
  {
    core: "types and errors every layer shares (provider contract, route plan, Tenant, HttpError, UpstreamError, events, token estimates); no I/O",
  },
  {
    resilience: "circuit breakers, retry backoff and deadlines: policy objects that know nothing of requests",
    streaming: "the SSE writer: a wire detail shared by every streaming endpoint",
  },
  {
    providers: "the adapter contract and one folder per provider kind; they throw UpstreamError",
    state: "storage backends behind small interfaces: keys, SQLite and Redis handles, breaker peers",
  },
  {
    routing: "the catalog and the router: they turn a request into a route plan over providers and breakers",
  },
  {
    telemetry: "metrics, logs, traces and the usage ledger: they observe what routing and providers did",
  },
  {
    admission: "tenant resolution and limits (requests, tokens, concurrency); accounts through telemetry",
    cache: "the chat response cache: keys, directives, memory and Redis stores, a stream assembled into its answer and replayed",
  },
  {
    pipeline: "the one way a request takes: prepare, execute over candidates, relay a stream, complete; the stages every endpoint shares",
  },
  {
    jobs: "the overflow queue: queued chat requests run through the pipeline",
  },
  {
    endpoints: "one folder per wire format (chat, messages, embeddings): decode the request for the pipeline, encode the answer or stream (Messages: its translation onto chat); chat overflows to jobs/",
  },
  {
    http: "Express glue only: middleware, the error envelope, routes; nothing below may import it",
  },
  {
    "open-state": "opens the state backends (memory, SQLite or Redis) and wires them to admission and the ledger",
    "startup-summary": "the startup log line",
  },
  { app: "createApp: builds the Express app from its parts and never listens" },
  { server: "starts the HTTP server on an app, and drains it" },
  { main: "the process entry: config, cluster workers, signals" },
];

/** The only importers of http/: the Express glue itself and the files that assemble and run the server. */
const HTTP_IMPORTERS = new Set(["http", "app", "server", "main"]);

const src = dirname(fileURLToPath(import.meta.url));

interface Edge {
  from: string;
  to: string;
  /** file -> file, relative to src/ */
  where: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "__fixtures__" && e.name !== "node_modules") out.push(...sourceFiles(p));
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The top-level folder of a path under src/, or the file's name without `.ts` for a top-level file. */
function topOf(path: string): string {
  const parts = relative(src, path).split(sep);
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.(ts|js)$/, "");
}

// `import ... from "./x"`, `export ... from "./x"`, `import "./x"` and `import("./x")`; only relative specifiers.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']*)["']/gm;

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1]!);
      if (relative(src, target).startsWith("..")) continue;
      const from = topOf(file);
      const to = topOf(target);
      if (from !== to) out.push({ from, to, where: `${relative(src, file)} -> ${relative(src, target)}` });
    }
  }
  return out;
}

const floorOf = new Map<string, number>();
FLOORS.forEach((floor, i) => Object.keys(floor).forEach((name) => floorOf.set(name, i)));

describe("the gateway's layers", () => {
  const all = edges();

  it("reads the imports it checks", () => {
    // A parser that found nothing would pass every rule below.
    expect(all.length).toBeGreaterThan(50);
    expect(all.some((e) => e.from === "app" && e.to === "http")).toBe(true);
  });

  it("gives every top-level folder and file of src/ a floor", () => {
    const tops = new Set(sourceFiles(src).map(topOf));
    const unplaced = [...tops].filter((t) => !floorOf.has(t)).sort();
    expect(unplaced, `add these to FLOORS in architecture.test.ts: ${unplaced.join(", ")}`).toEqual([]);
  });

  it("has no import cycle between top-level folders", () => {
    const next = new Map<string, Map<string, string>>();
    for (const e of all) {
      if (!next.has(e.from)) next.set(e.from, new Map());
      if (!next.get(e.from)!.has(e.to)) next.get(e.from)!.set(e.to, e.where);
    }
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (n: string) => {
      state.set(n, "open");
      stack.push(n);
      for (const [m, where] of next.get(n) ?? []) {
        if (state.get(m) === "open") {
          const loop = [...stack.slice(stack.indexOf(m)), m];
          const hops = loop.slice(1).map((to, i) => `  ${next.get(loop[i]!)!.get(to) ?? where}`);
          cycles.push(`${loop.join(" -> ")}\n${hops.join("\n")}`);
        } else if (!state.has(m)) visit(m);
      }
      stack.pop();
      state.set(n, "done");
    };
    for (const n of [...next.keys()].sort()) if (!state.has(n)) visit(n);
    // Each cycle is listed once per import that closes it; the first few are enough to see the culprit.
    const shown = cycles.slice(0, 8).join("\n") + (cycles.length > 8 ? `\n... and ${cycles.length - 8} more` : "");
    expect(cycles, `folder cycles:\n${shown}`).toEqual([]);
  });

  it("imports only from the same folder or a lower floor", () => {
    const upward = all
      .filter((e) => floorOf.has(e.from) && floorOf.has(e.to) && floorOf.get(e.to)! >= floorOf.get(e.from)!)
      .map((e) => `${e.where} (${e.from} is on floor ${floorOf.get(e.from)}, ${e.to} on ${floorOf.get(e.to)})`);
    expect(upward, `imports that do not point down:\n${upward.join("\n")}`).toEqual([]);
  });

  it("imports http/ only from http/ and the files that assemble the server", () => {
    const bad = all.filter((e) => e.to === "http" && !HTTP_IMPORTERS.has(e.from)).map((e) => e.where);
    expect(bad, `imports of http/ from below it:\n${bad.join("\n")}`).toEqual([]);
  });
});

describe("the request signal (resilience/deadline.ts)", () => {
  // A request's signal is a RequestSignal, not a real AbortSignal: AbortSignal.any accepts it and never aborts. A
  // client gone or a deadline passed would then be lost without a sound, so every AbortSignal.any in src/ must
  // take its inputs through realAbortSignal().
  it("reaches AbortSignal.any only through realAbortSignal()", () => {
    const bad: string[] = [];
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, "utf8");
      for (let at = text.indexOf("AbortSignal.any("); at !== -1; at = text.indexOf("AbortSignal.any(", at + 1)) {
        const args = text.slice(at + "AbortSignal.any(".length, text.indexOf(")]", at) + 2);
        const inputs = args.replace(/^\s*\[/, "").replace(/\]\s*\)?$/, "").split(",").map((a) => a.trim()).filter(Boolean);
        const unwrapped = inputs.filter((a) => !a.startsWith("realAbortSignal(") && !a.startsWith("AbortSignal.timeout("));
        if (unwrapped.length) bad.push(`${relative(src, file)}: AbortSignal.any(${args.slice(0, 80)}`);
      }
    }
    expect(bad, `AbortSignal.any over a signal that may be a RequestSignal:\n${bad.join("\n")}`).toEqual([]);
  });
});
