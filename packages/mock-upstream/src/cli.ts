#!/usr/bin/env node
import { startMockUpstream } from "./server.js";

const USAGE = "usage: runestone-mock-upstream [--port 4010] [--host 127.0.0.1] [--no-record]";

function parseArgs(argv: string[]): { port: number; host: string; record: boolean } {
  const out = { port: 4010, host: "127.0.0.1", record: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--port") {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port needs a port number\n${USAGE}`);
      out.port = port;
    } else if (flag === "--host") {
      const host = value();
      if (!host) throw new Error(`--host needs a value\n${USAGE}`);
      out.host = host;
    } else if (flag === "--no-record") out.record = false;
    else if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const mock = await startMockUpstream(args);
  console.log(`mock-upstream listening on ${mock.url}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
