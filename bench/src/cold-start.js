#!/usr/bin/env node
// A fresh gateway: the time from its spawn to /health/ready, then the first request to each model endpoint
// (chat completions, Messages, Responses, embeddings) and a second chat request, against the mock upstream.
// Each target is started --starts times, the starts interleaved; pinned like the bench. Targets: "runestone"
// (apps/gateway/dist/main.js) or "rs=<path to a main.js>" (a dist copied from before a change; it must live under
// apps/gateway/node_modules/ so its imports resolve).
// Usage: node bench/src/cold-start.js [--starts 3] [--targets runestone,rs=/path/to/main.js]
import { probeContext } from "./machine.js";
import { parseOptions } from "./options.js";
import { runCli, stopAll } from "./processes.js";
import { startMock, startRunestone, TENANT_KEY } from "./services.js";
import { median } from "./stats.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};

const messages = [{ role: "user", content: "hi" }];
const FIRST = [
  ["chat", "/v1/chat/completions", { model: "gpt-4o-mini", messages }],
  ["messages", "/v1/messages", { model: "gpt-4o-mini", max_tokens: 16, messages }],
  ["responses", "/v1/responses", { model: "gpt-4o-mini", input: "hi" }],
  ["embeddings", "/v1/embeddings", { model: "gpt-4o-mini", input: "hi" }],
  ["second chat", "/v1/chat/completions", { model: "gpt-4o-mini", messages }],
];

async function timedPost(url, body) {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${TENANT_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

async function main() {
  const starts = Number(arg("starts", 3));
  const targets = arg("targets", "runestone").split(",");
  const ctx = probeContext("cold-start", parseOptions([]));
  const rows = new Map(targets.map((t) => [t, []]));
  try {
    ctx.mock = await startMock(ctx);
    for (let i = 0; i < starts; i++) {
      for (const [k, spec] of targets.entries()) {
        const t0 = performance.now();
        const gw = await startRunestone(ctx, { name: `t${k}-start${i}`, main: spec === "runestone" ? undefined : spec.replace(/^rs=/, ""), readyPollMs: 5 });
        const row = { ready_ms: performance.now() - t0 };
        for (const [name, path, body] of FIRST) {
          const r = await timedPost(`${gw.url}${path}`, body);
          if (r.status >= 500) throw new Error(`${spec}: ${path} answered ${r.status}`);
          row[name] = r.ms;
        }
        rows.get(spec).push(row);
        await gw.proc.stop();
      }
    }
  } finally {
    await stopAll();
  }
  const cols = ["ready_ms", ...FIRST.map(([name]) => name)];
  console.log(`\n${starts} starts per target; medians in ms (every start in brackets)\n`);
  console.log(`| target | ${["ready", ...FIRST.map(([name]) => `first ${name}`)].join(" | ").replace("first second chat", "second chat")} |\n| --- |${" --- |".repeat(cols.length)}`);
  for (const [spec, list] of rows) {
    const cell = (c) => `${median(list.map((r) => r[c])).toFixed(c === "ready_ms" ? 0 : 1)} (${list.map((r) => r[c].toFixed(c === "ready_ms" ? 0 : 1)).join(", ")})`;
    console.log(`| ${spec} | ${cols.map(cell).join(" | ")} |`);
  }
}

runCli(main);
