#!/usr/bin/env node
// The design card's floor: Express 5 + express.json + express-openapi-validator (Runestone's own
// bundled spec, requests validated as the gateway validates them) + the same undici forward as the
// Node floor (a streaming answer piped through as it arrives), nothing else. What the stack Runestone
// is built on costs before Runestone does anything.
import { createServer, IncomingMessage, ServerResponse } from "node:http";
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

// Not in `pnpm bench`: with --born (cpu-probe's express-floor^--born) the server makes its requests and responses
// with Express's prototypes already in place, the one change apps/gateway/src/http/express-born.ts makes, to
// price what Express's per-request Object.setPrototypeOf costs this floor.
const server = process.argv.includes("--born") ? createServer(bornClasses(app), app).listen(port, "127.0.0.1") : app.listen(port, "127.0.0.1");
server.keepAliveTimeout = 65_000;
process.on("SIGTERM", () => server.close(() => up.close().then(() => process.exit(0))));

function bornClasses(app) {
  function Request(socket) {
    IncomingMessage.call(this, socket);
  }
  Request.prototype = app.request;
  function Response(req, options) {
    ServerResponse.call(this, req, options);
  }
  Response.prototype = app.response;
  return { IncomingMessage: Request, ServerResponse: Response };
}
