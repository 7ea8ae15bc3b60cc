#!/usr/bin/env node
// The design card's floor: Express 5 + express.json + express-openapi-validator (Runestone's own
// bundled spec, requests validated as the gateway validates them) + the same undici forward as the
// Node floor (a streaming answer piped through as it arrives), nothing else. What the stack Runestone
// is built on costs before Runestone does anything.
import { pipeline } from "node:stream";
import express from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { openapiDocument } from "@runestone/contract";
import { floorArgs, upstreamForwarder } from "./forward.js";

const { port, upstream, key } = floorArgs(process.argv.slice(2));
const up = upstreamForwarder(upstream, key);

const app = express();
app.use(express.json({ limit: "20mb" }));
app.use(
  OpenApiValidator.middleware({
    apiSpec: structuredClone(openapiDocument),
    validateRequests: true,
    validateResponses: false,
    validateSecurity: false,
    validateApiSpec: false,
    ignoreUndocumented: true,
  }),
);
app.get("/health", (_req, res) => res.json({ status: "ok" }));
app.post("/v1/chat/completions", async (req, res) => {
  const r = await up.forward(JSON.stringify(req.body));
  if (r.stream) {
    res.status(r.status).setHeader("content-type", r.contentType);
    pipeline(r.stream, res, () => {});
    return;
  }
  res.status(r.status).type("application/json").send(r.body);
});
app.use((err, _req, res, _next) => res.status(err.status ?? 500).json({ error: { message: String(err.message) } }));

const server = app.listen(port, "127.0.0.1");
server.keepAliveTimeout = 65_000;
process.on("SIGTERM", () => server.close(() => up.close().then(() => process.exit(0))));
