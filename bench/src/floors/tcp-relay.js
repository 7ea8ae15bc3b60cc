#!/usr/bin/env node
// A raw TCP relay: each client connection is piped, byte for byte, to a new connection to the upstream,
// with no HTTP parsing at all. Not a gateway: the hop probe (hop-probe.js) puts it where a gateway sits to
// price the loopback hop and the process wake-up alone, apart from any HTTP stack.
import net from "node:net";
import { floorArgs } from "./forward.js";

// The floors' arguments; only the upstream's host and port are used (no key: the client's bytes go as they are).
const { port, upstream: upstreamUrl } = floorArgs(process.argv.slice(2));
const upstream = new URL(upstreamUrl);

const server = net.createServer((client) => {
  client.setNoDelay(true);
  const up = net.connect(Number(upstream.port), upstream.hostname);
  up.setNoDelay(true);
  client.pipe(up);
  up.pipe(client);
  client.on("error", () => up.destroy());
  up.on("error", () => client.destroy());
  client.on("close", () => up.destroy());
  up.on("close", () => client.destroy());
});
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
