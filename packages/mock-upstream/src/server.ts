import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicError, anthropicInvalid } from "./anthropic/errors.js";
import { countTokens } from "./anthropic/count-tokens.js";
import { messages } from "./anthropic/messages.js";
import {
  BehaviorError,
  BehaviorRules,
  resolveBehavior,
  type BehaveOptions,
  type MockBehavior,
} from "./behavior.js";
import { handleControl } from "./control.js";
import { geminiGenerateContent, isGeminiPath } from "./gemini/generate-content.js";
import { bedrockConverse, isBedrockPath } from "./bedrock/converse.js";
import { embeddings } from "./embeddings.js";
import { Exchange } from "./exchange.js";
import { readBody, retryHeaders, sendJson, sendRaw } from "./http.js";
import { IdSource } from "./ids.js";
import { models } from "./models.js";
import { chatCompletions } from "./openai/chat.js";
import { responses } from "./openai/responses.js";
import { openaiError, openaiInvalid } from "./openai/errors.js";
import { Recorder, type RecordedRequest } from "./record.js";
import { azureRouteFor } from "./azure/routes.js";
import type { Route } from "./route.js";

export interface MockUpstream {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Next `times` requests (default Infinity) whose upstream model matches `model` (optional) get this behaviour. Rules are consulted in order. */
  behave(behavior: MockBehavior, opts?: BehaveOptions): void;
  /** Clears rules and recorded requests. */
  reset(): void;
  /** Resolves once the predicate holds over the recorded requests; rejects after `timeoutMs` (default 2000). */
  waitFor(predicate: (r: RecordedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Closes the server and every open socket. */
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  /** Keep a record of received requests (default true). Turn off for benchmarks. */
  record?: boolean;
}

const ROUTES = new Map<string, Route>([
  ["POST /v1/chat/completions", chatCompletions],
  ["POST /v1/messages", messages],
  ["POST /v1/messages/count_tokens", countTokens],
  ["POST /v1/responses", responses],
  ["POST /v1/embeddings", embeddings],
  ["GET /v1/models", models],
]);

function pathOf(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  return q < 0 ? raw : raw.slice(0, q);
}

function sendError(route: Route, ex: Exchange, status: number, behavior: MockBehavior, model: string | undefined): void {
  const body = route.flavor === "anthropic" ? anthropicError(status, behavior) : openaiError(status, behavior, model);
  sendJson(ex.res, status, body, retryHeaders(behavior));
}

function sendInvalid(route: Route | undefined, res: ServerResponse, message: string): void {
  sendJson(res, 400, route?.flavor === "anthropic" ? anthropicInvalid(message) : openaiInvalid(message));
}

export async function startMockUpstream(opts: StartOptions = {}): Promise<MockUpstream> {
  const record = opts.record !== false;
  const recorder = new Recorder();
  const rules = new BehaviorRules();
  const ids = new IdSource();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      return; // the client went away while sending its body
    }
    if (path.startsWith("/_mock/")) return handleControl(req, res, path, rawBody, { rules, recorder });

    let body: unknown;
    let unparsable = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        unparsable = true;
      }
    }

    let onEnd: ConstructorParameters<typeof Exchange>[2];
    if (record) {
      const rec = recorder.add({
        method: req.method ?? "GET",
        path,
        url: req.url,
        headers: req.headers,
        rawBody,
        body,
        receivedAt: Date.now(),
      });
      onEnd = (how) => {
        if (how === "finished") rec.completed = true;
        else if (how === "client-closed") rec.clientClosedAt = Date.now();
        recorder.notify();
      };
    }
    const ex = new Exchange(req, res, onEnd);
    if (isGeminiPath(path)) return geminiGenerateContent(ex, path, body, unparsable, rules, ids);
    if (isBedrockPath(path)) return bedrockConverse(ex, path, unparsable ? null : (body ?? {}), rules, ids);

    const route = ROUTES.get(`${req.method} ${path}`) ?? azureRouteFor(req.method, path);
    if (!route) {
      return sendJson(res, 404, openaiInvalid(`Invalid URL (${req.method} ${path})`));
    }
    if (unparsable || (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body)))) {
      return sendInvalid(route, res, "We could not parse the JSON body of your request. The request body must be a JSON object.");
    }
    const json = (body ?? {}) as Record<string, unknown>;

    let model: string | undefined;
    let behavior: MockBehavior;
    try {
      ({ model, behavior } = resolveBehavior(req.headers["x-mock-behavior"], json.model, path, rules));
    } catch (err) {
      if (err instanceof BehaviorError) return sendInvalid(route, res, err.message);
      throw err;
    }

    if (behavior.latencyMs && !(await ex.wait(behavior.latencyMs))) return;
    if (behavior.stall === "before-headers") return; // held open until the client gives up
    if (behavior.status !== undefined && behavior.status >= 400) {
      return sendError(route, ex, behavior.status, behavior, model);
    }
    if (behavior.rawBody !== undefined) return sendRaw(ex, behavior.rawBody, json.stream === true);
    await route.handle({ ex, body: json, model, behavior, ids });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, openaiError(500, { errorMessage: `mock-upstream failed: ${err instanceof Error ? err.message : String(err)}` }));
    });
  });
  // Longer than the keep-alive of common clients, so a pooled socket is never closed under a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: recorder.requests,
    behave: (behavior, behaveOpts) => rules.add(behavior, behaveOpts),
    reset: () => {
      rules.clear();
      recorder.clear();
    },
    waitFor: (predicate, timeoutMs) => recorder.waitFor(predicate, timeoutMs),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
