#!/usr/bin/env node
// The Node floor: bare node:http reading the body and forwarding it with undici, nothing else
// (no parsing, no validation, no auth); a streaming answer is piped through as it arrives. What any
// Node proxy of this shape costs at least.
import { createServer } from "node:http";
import { pipeline } from "node:stream";
import { floorArgs, upstreamForwarder } from "./forward.js";

const { port, upstream, key } = floorArgs(process.argv.slice(2));
const up = upstreamForwarder(upstream, key);

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method !== "POST") {
    res.writeHead(req.url === "/health" ? 200 : 404).end();
    return;
  }
  const parts = [];
  req.on("data", (d) => parts.push(d));
  req.on("end", async () => {
    try {
      const r = await up.forward(Buffer.concat(parts));
      if (r.stream) {
        // headers go out with the first chunk; an error on either side destroys both ends
        res.writeHead(r.status, { "content-type": r.contentType });
        pipeline(r.stream, res, () => {});
        return;
      }
      res.writeHead(r.status, { "content-type": "application/json", "content-length": r.body.length }).end(r.body);
    } catch (err) {
      res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: String(err.message) } }));
    }
  });
});
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => server.close(() => up.close().then(() => process.exit(0))));
