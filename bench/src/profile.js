#!/usr/bin/env node
// Profiles the gateway under saturation: Runestone with `node --cpu-prof` on its own core, autocannon
// at C connections for T seconds after a 2 s warm-up, then a summary of the .cpuprofile (top self
// time by function and by package, start-up and warm-up left out) in <out>/<name>.md. The
// .cpuprofile opens in Chrome DevTools or speedscope.
// Usage: pnpm --filter @runestone/bench profile [--duration 15] [--connections 64] [--log-level info] [--stream]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { requestBody, requestHeaders, runestoneTarget } from "./client.js";
import { cpuLayout, machineFacts, pinSelf } from "./machine.js";
import { runCli, stopAll } from "./processes.js";
import { renderProfileMarkdown, summarizeProfile } from "./profile-summary.js";
import { checkBuilt, startMock, startRunestone } from "./services.js";
import { parseOptions } from "./options.js";

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

async function main() {
  checkBuilt();
  const duration = Number(arg("duration", 15));
  const connections = Number(arg("connections", 64));
  const logLevel = arg("log-level", "info");
  const stream = process.argv.includes("--stream");
  const out = arg("out", fileURLToPath(new URL("../results/profile/", import.meta.url)));
  const opts = { ...parseOptions([]), logLevel };
  const machine = machineFacts();
  const layout = cpuLayout(true);
  pinSelf(layout.loadgen);
  const runDir = mkdtempSync(join(tmpdir(), "runestone-profile-"));
  const logDir = join(runDir, "logs");
  mkdirSync(logDir);
  mkdirSync(out, { recursive: true });
  const profDir = join(runDir, "cpuprof");
  const ctx = { opts, layout, machine, runDir, logDir };
  try {
    ctx.mock = await startMock(ctx);
    const gw = await startRunestone(ctx, { name: "runestone-profiled", logLevel, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profDir}`] });
    const t = runestoneTarget(gw, stream ? "stream" : "plain");
    const body = requestBody(t, stream);
    const headers = requestHeaders(t, body);
    delete headers["content-length"];
    const load = { url: `${t.origin}/v1/chat/completions`, method: "POST", headers, body, connections };
    await autocannon({ ...load, duration: 2 }); // warm-up, outside the summary
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const r = await autocannon({ ...load, duration });
    await gw.proc.stop(); // SIGTERM: graceful exit writes the profile
    const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no .cpuprofile written in ${profDir}`);
    const raw = readFileSync(join(profDir, file), "utf8");
    const name = `runestone-${stream ? "stream" : "json"}-${logLevel}`;
    writeFileSync(join(out, `${name}.cpuprofile`), raw);
    const summary = summarizeProfile(JSON.parse(raw), 30, fromUs);
    const md = renderProfileMarkdown(
      summary,
      `Runestone under autocannon (${connections} connections, ${duration} s, ${stream ? "streaming" : "non-streaming"}, log level ${logLevel}): ${Math.round(r["2xx"] / r.duration)} requests/s, ${(machine.cpu_model)}`,
    );
    writeFileSync(join(out, `${name}.md`), md);
    process.stdout.write(md);
    process.stderr.write(`[profile] wrote ${join(out, `${name}.cpuprofile`)} and ${name}.md\n`);
  } finally {
    await stopAll();
  }
}

runCli(main, (err) => process.stderr.write(`[profile] failed: ${err?.stack ?? err}\n`));
