#!/usr/bin/env node
// A raw TCP relay: each client connection is piped, byte for byte, to a new connection to the upstream,
// with no HTTP parsing at all. Not a gateway: the hop probe (hop-probe.js) puts it where a gateway sits to
// price the loopback hop and the process wake-up alone, apart from any HTTP stack.
import net from "node:net";

const args = process.argv.slice(2);
const get = (name) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const port = Number(get("port"));
const upstream = new URL(get("upstream") ?? "");
if (!port || !upstream.port) throw new Error("usage: --port N --upstream http://host:port");

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
