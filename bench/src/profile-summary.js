// Summarises a V8 .cpuprofile: where the gateway's CPU time goes, by function (self time) and by
// file or package. Usage: node bench/src/profile-summary.js <file.cpuprofile> [--top 30]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Self time per node: the sample intervals attributed to it (timeDeltas are in microseconds). */
/**
 * `fromUs` skips samples taken before that monotonic time (µs, the clock of process.hrtime), so
 * start-up (module loading, schema compilation) stays out of a profile of the steady state.
 */
export function summarizeProfile(profile, top = 30, fromUs = 0) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    // each delta is the time before sample i; attribute the interval to the sample that closes it
    const dt = timeDeltas[i] ?? 0;
    at += dt;
    if (at < fromUs) continue;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + dt);
  }
  let total = 0;
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const cf = n.callFrame;
    const name = cf.functionName || "(anonymous)";
    const where = shortUrl(cf.url);
    const key = `${name} ${where}${cf.url ? `:${cf.lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const group = where ? groupOf(cf.url) : name; // (garbage collector), (program), (idle)...
    files.set(group, (files.get(group) ?? 0) + us);
  }
  const inclusive = inclusiveTimes(profile, byId, selfUs, (cf) => `${cf.functionName || "(anonymous)"} ${shortUrl(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ""}`);
  const idleUs = files.get("(idle)") ?? 0;
  const busy = total - idleUs || 1;
  // percentages of busy time: idle samples say nothing about the request path
  const rows = (m) =>
    [...m.entries()]
      .filter(([k]) => !k.startsWith("(idle)"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ name: k, ms: Math.round(us / 100) / 10, pct: Math.round((us / busy) * 1000) / 10 }));
  // inclusive rows: where the request path spends its time, callees included (Node's own
  // dispatch frames are left out, they include everything)
  const ours = new Map([...inclusive].filter(([k]) => k.includes("apps/gateway/")));
  const components = new Map();
  for (const [group, us] of files) if (group !== "(idle)") components.set(componentOf(group), (components.get(componentOf(group)) ?? 0) + us);
  return {
    total_ms: Math.round(total / 1000),
    busy_ms: Math.round(busy / 1000),
    idle_pct: Math.round((idleUs / total) * 1000) / 10,
    functions: rows(fns),
    groups: rows(files),
    components: rows(components),
    inclusive: rows(ours),
  };
}

const COMPONENTS = [
  ["request validation (express-openapi-validator, ajv)", /^(express-openapi-validator|ajv|path-to-regexp|@apidevtools|media-typer|content-type)/],
  ["express and router (routing, body parsing, res.json)", /^(express|router|body-parser|raw-body|type-is|parseurl|send|finalhandler|on-finished|depd|iconv-lite|qs|mime|accepts|negotiator|vary|encodeurl|escape-html)/],
  ["logging (pino, its async file writes)", /^(pino|sonic-boom|fast-redact|quick-format|atomic-sleep|on-exit-leak-free|thread-stream|writeString$|node:fs)/],
  ["upstream HTTP client (undici)", /^undici/],
  ["Node HTTP server and sockets", /^(node:_http|node:net|node:internal\/(streams|stream_base_commons|http|url|dns)|writev$|writeBuffer$|writeUtf8String$|writeLatin1String$|node:stream|node:internal\/errors)/],
  ["AbortSignal, timers, events, promises", /^(node:internal\/(abort_controller|timers|event_target|process\/task_queues|webidl)|node:events|node:timers|runMicrotasks$|processTicksAndRejections)/],
  ["crypto (API key hashing)", /^node:internal\/crypto|^node:crypto/],
  ["garbage collector", /^\(garbage collector\)$/],
  ["Runestone's own code (apps/gateway)", /^apps\/gateway/],
];

export function componentOf(group) {
  return COMPONENTS.find(([, re]) => re.test(group))?.[0] ?? "other (Node internals, V8, buffers)";
}

/** Time in each function including its callees, counting a function once per stack (recursion). */
function inclusiveTimes(profile, byId, selfUs, keyOf) {
  const out = new Map();
  const active = new Map();
  const root = profile.nodes[0];
  const visit = (node) => {
    const key = keyOf(node.callFrame);
    active.set(key, (active.get(key) ?? 0) + 1);
    let sum = selfUs.get(node.id) ?? 0;
    for (const c of node.children ?? []) sum += visit(byId.get(c));
    active.set(key, active.get(key) - 1);
    if (active.get(key) === 0) out.set(key, (out.get(key) ?? 0) + sum);
    return sum;
  };
  visit(root);
  return out;
}

function shortUrl(url) {
  if (!url) return "";
  const u = url.replace(/^file:\/\//, "");
  const nm = u.lastIndexOf("node_modules/");
  if (nm !== -1) return u.slice(nm + "node_modules/".length).replace(/^\.pnpm\/[^/]+\/node_modules\//, "");
  const ws = u.indexOf("/apps/");
  if (ws !== -1) return u.slice(ws + 1);
  const pk = u.indexOf("/packages/");
  return pk !== -1 ? u.slice(pk + 1) : u;
}

/** A package name for node_modules code, the file for our own code, `node:internal/...` for Node. */
function groupOf(url) {
  const s = shortUrl(url);
  if (url.includes("node_modules/")) {
    const parts = s.split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return s;
}

export function renderProfileMarkdown(summary, title) {
  const lines = [`## ${title}`, "", `Sampled ${summary.total_ms} ms, idle ${summary.idle_pct} %; percentages below are of the ${summary.busy_ms} ms busy.`, ""];
  lines.push("Self time by component:", "", "| component | self ms | % |", "| --- | --- | --- |");
  for (const r of summary.components) lines.push(`| ${r.name} | ${r.ms} | ${r.pct} |`);
  lines.push("", "Top self time by package or file:", "", "| package / file | self ms | % |", "| --- | --- | --- |");
  for (const r of summary.groups) lines.push(`| ${r.name} | ${r.ms} | ${r.pct} |`);
  lines.push("", "Runestone's functions including callees (a middleware that calls next() includes what follows it):", "", "| function (file:line) | total ms | % |", "| --- | --- | --- |");
  for (const r of summary.inclusive) lines.push(`| \`${r.name.replace(/\|/g, "\\|")}\` | ${r.ms} | ${r.pct} |`);
  lines.push("", "Top self time by function:", "", "| function (file:line) | self ms | % |", "| --- | --- | --- |");
  for (const r of summary.functions) lines.push(`| \`${r.name.replace(/\|/g, "\\|")}\` | ${r.ms} | ${r.pct} |`);
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node bench/src/profile-summary.js <file.cpuprofile> [--top N]");
    process.exit(2);
  }
  const topIdx = process.argv.indexOf("--top");
  const top = topIdx !== -1 ? Number(process.argv[topIdx + 1]) : 30;
  process.stdout.write(renderProfileMarkdown(summarizeProfile(JSON.parse(readFileSync(file, "utf8")), top), file));
}
