#!/usr/bin/env node
// What one proxy hop costs on this machine, apart from any gateway: (1) the round trip of one byte between
// two processes over loopback TCP, back to back and after idle gaps (the wake-up a hop pays); (2) a stream's
// time to first body byte direct to the mock, through a raw TCP relay (no HTTP: the hop alone) and through
// the Node floor (node:http + undici), the streams interleaved as in `pnpm bench`'s stage 3a; (3) with
// --stream-gaps, short streams (3 chunks 1 ms apart) direct, through the Node floor and through Runestone after
// each idle gap: how a stream's first byte through a proxy depends on how long its core idled. Pinned like
// the bench: the relay, the floor and Runestone on the gateway's core.
// Usage: node bench/src/hop-probe.js [--streams 20] [--gaps 0,5,100,500] [--stream-gaps 0,20,200]
import net from "node:net";
import { directTarget, floorTarget, requestBody, runestoneTarget, sequentialAgent, streamTimed } from "./client.js";
import { probeContext } from "./machine.js";
import { parseOptions } from "./options.js";
import { cpuNanos, freePort, runCli, sleep, startProcess, stopAll } from "./processes.js";
import { startFloor, startMock, startRelay, startRunestone } from "./services.js";
import { median } from "./stats.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};

/** Round trips of one byte to an echo process on the gateway's core, after `gap` ms idle each (fewer for long gaps). */
async function pingPong(ctx, gaps) {
  const port = await freePort();
  const echo = `require("net").createServer((s) => { s.setNoDelay(true); s.on("data", (d) => s.write(d)); }).listen(${port}, "127.0.0.1", () => console.log("up"));`;
  const proc = startProcess({ name: "echo", command: process.execPath, args: ["-e", echo], cpus: ctx.layout.gateway, logDir: ctx.logDir, captureStdout: true });
  await new Promise((resolve) => proc.child.stdout.once("data", resolve));
  const socket = net.connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once("connect", resolve));
  const rows = [];
  try {
    for (const gap of gaps) {
      const us = [];
      for (let i = 0; i < (gap >= 100 ? 15 : 100); i++) {
        await sleep(gap);
        const t0 = process.hrtime.bigint();
        socket.write("x");
        await new Promise((resolve) => socket.once("data", resolve));
        us.push(Number(process.hrtime.bigint() - t0) / 1e3);
      }
      rows.push({ gap_ms: gap, round_trip_p50_us: Math.round(median(us)) });
    }
  } finally {
    socket.destroy();
    await proc.stop();
  }
  return rows;
}

/**
 * Short streams' first byte after each idle gap, the targets interleaved: TTFC p50 per gap and target, and the
 * CPU time the process behind each target (`pids`: the mock for direct, else the proxy) spent on one stream.
 */
async function ttfcAfterGaps(ctx, targets, pids, gaps) {
  const state = targets.map((t) => ({ t, agent: sequentialAgent(), body: requestBody(t, true) }));
  for (let i = 0; i < 100; i++) for (const s of state) await streamTimed(s.agent, s.t, s.body); // warm-up
  const rows = [];
  for (const gap of gaps) {
    const ttfc = state.map(() => []);
    const cpu = state.map(() => []);
    for (let i = 0; i < (gap >= 100 ? 24 : 60); i++) {
      // The order rotates each round: the proxies share the gateway's core, so whichever runs right after the
      // other would otherwise always find it freshly used.
      for (let j = 0; j < state.length; j++) {
        const k = (i + j) % state.length;
        await sleep(gap);
        const cpu0 = cpuNanos(pids[k]);
        const r = await streamTimed(state[k].agent, state[k].t, state[k].body);
        if (!r.done) continue;
        ttfc[k].push(r.ttfcMs);
        cpu[k].push((cpuNanos(pids[k]) - cpu0) / 1e3);
      }
    }
    const p50 = (v) => (v.length ? median(v) : Number.NaN);
    rows.push({ gap_ms: gap, ttfc_p50_ms: ttfc.map(p50), cpu_p50_us: cpu.map(p50), streams: ttfc.map((v) => v.length) });
  }
  for (const s of state) s.agent.destroy();
  return rows;
}

async function main() {
  const streams = Number(arg("streams", 20));
  const gaps = arg("gaps", "0,5,100,500").split(",").map(Number);
  const ctx = probeContext("hop-probe", parseOptions([]));
  try {
    console.log("| idle before (ms) | loopback round trip p50 (µs) |\n| --- | --- |");
    for (const r of await pingPong(ctx, gaps)) console.log(`| ${r.gap_ms} | ${r.round_trip_p50_us} |`);

    ctx.mock = await startMock(ctx);
    const relay = await startRelay(ctx);
    const floor = await startFloor(ctx, "node-floor");
    const direct = directTarget(ctx, "stream");
    // The relay passes the client's bytes as they are: it carries the direct call's key to the mock.
    const targets = [direct, { ...direct, id: "tcp-relay", label: "raw TCP relay", origin: relay.url }, floorTarget(ctx, floor, "stream", "node-floor", "Node floor (node:http + undici)")];
    const state = targets.map((t) => ({ t, agent: sequentialAgent(), body: requestBody(t, true), ttfc: [] }));
    for (const s of state) await streamTimed(s.agent, s.t, s.body);
    for (let i = 0; i < streams; i++) for (const s of state) {
      const r = await streamTimed(s.agent, s.t, s.body);
      if (r.done) s.ttfc.push(r.ttfcMs);
    }
    const directP50 = median(state[0].ttfc);
    console.log(`\n${streams} streams per target, interleaved (each ${ctx.opts.streamChunks} chunks, ${ctx.opts.chunkDelayMs} ms apart)\n`);
    console.log("| target | TTFC p50 (ms) | over direct (ms) | streams |\n| --- | --- | --- | --- |");
    for (const s of state) {
      const p50 = median(s.ttfc);
      console.log(`| ${s.t.label} | ${p50.toFixed(3)} | ${(p50 - directP50).toFixed(3)} | ${s.ttfc.length} |`);
      s.agent.destroy();
    }

    const streamGaps = arg("stream-gaps", "");
    if (streamGaps) {
      const short = { ...ctx, opts: parseOptions(["--stream-chunks", "3", "--chunk-delay-ms", "1"]) };
      const gw = await startRunestone(short, { name: "runestone" });
      const gapTargets = [directTarget(short, "stream"), floorTarget(short, floor, "stream", "node-floor", "Node floor"), runestoneTarget(gw, "stream")];
      console.log("\nShort streams (3 chunks, 1 ms apart), interleaved, each after an idle gap: TTFC p50 (ms) and over direct\n");
      console.log("| idle before (ms) | direct | Node floor | Runestone | Node floor over direct | Runestone over direct | streams ended (each) |\n| --- | --- | --- | --- | --- | --- | --- |");
      const rows = await ttfcAfterGaps(short, gapTargets, [ctx.mock.proc.pid, floor.proc.pid, gw.proc.pid], streamGaps.split(",").map(Number));
      for (const r of rows) {
        const [d, n, rs] = r.ttfc_p50_ms;
        console.log(`| ${r.gap_ms} | ${d.toFixed(3)} | ${n.toFixed(3)} | ${rs.toFixed(3)} | ${(n - d).toFixed(3)} | ${(rs - d).toFixed(3)} | ${r.streams.join(" / ")} |`);
      }
      // The same code on the same request: what idling does to its cost, inside the process (not the wake-up's wait).
      console.log("\nCPU time of one short stream in the process that answers (direct: the mock) or relays it, p50 (µs)\n");
      console.log("| idle before (ms) | mock (direct) | Node floor | Runestone |\n| --- | --- | --- | --- |");
      for (const r of rows) console.log(`| ${r.gap_ms} | ${r.cpu_p50_us.map((v) => Math.round(v)).join(" | ")} |`);
    }
  } finally {
    await stopAll();
  }
}

runCli(main);
