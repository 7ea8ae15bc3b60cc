// The `bedrock` provider kind: AWS Bedrock Runtime Converse / ConverseStream through the official AWS SDK
// (SigV4 signing, event-stream decoding). One SDK client per provider, so its keep-alive sockets are reused.
import { randomUUID } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, type ConverseStreamOutput } from "@aws-sdk/client-bedrock-runtime";
import type { ProviderConfig } from "../../config/schema";
import type { ChatCall, ChatCompletion, ChunkEvent, Provider } from "../../core/provider-contract";
import { registerSecrets } from "../../core/redact-secrets";
import { UpstreamError } from "../../core/upstream-error";
import { withDeadline, type DeadlineSignal } from "../../resilience/deadline";
import { buildConverseRequest } from "./build-converse-request";
import { mapBedrockError } from "./map-bedrock-error";
import { mapConverseResponse } from "./map-converse-response";
import { ConverseStreamMapper } from "./converse-stream-mapper";


export class BedrockProvider implements Provider {
  readonly kind = "bedrock" as const;
  readonly configured: boolean;
  readonly notConfiguredReason?: string;
  private readonly client?: BedrockRuntimeClient;

  constructor(
    readonly id: string,
    private readonly config: ProviderConfig,
  ) {
    registerSecrets([config.secret_access_key, config.session_token]);
    const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) {
      this.configured = false;
      this.notConfiguredReason = `provider ${id} (bedrock) has no region`;
      return;
    }
    this.configured = true;
    this.client = new BedrockRuntimeClient({
      region,
      ...(config.base_url ? { endpoint: config.base_url } : {}),
      // Static keys from config when given; otherwise the SDK's default chain (environment, profile, instance role).
      ...(config.access_key_id && config.secret_access_key
        ? { credentials: { accessKeyId: config.access_key_id, secretAccessKey: config.secret_access_key, ...(config.session_token ? { sessionToken: config.session_token } : {}) } }
        : {}),
      // The gateway retries and falls back itself; the SDK must not retry behind its back.
      maxAttempts: 1,
      // HTTP/1.1 keep-alive (Converse and ConverseStream do not need the HTTP/2 the client defaults to for its
      // bidirectional operations), pooled like the other providers: `connections` sockets per origin.
      requestHandler: new NodeHttpHandler({
        connectionTimeout: config.timeouts.connect_ms,
        requestTimeout: config.timeouts.idle_ms,
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: config.connections }),
        httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: config.connections }),
      }),
    });
  }

  async complete(call: ChatCall, outer: AbortSignal): Promise<ChatCompletion> {
    // Built outside the try: a request Bedrock cannot take is the client's 400 (RequestTranslationError), not an upstream failure.
    const input = buildConverseRequest(call);
    const signal = this.withTotalTimeout(outer);
    try {
      const out = await this.ready().send(new ConverseCommand(input), { abortSignal: signal });
      return mapConverseResponse(out, call, `chatcmpl-${randomUUID()}`);
    } catch (err) {
      throw this.failure(err, signal);
    }
  }

  async stream(call: ChatCall, outer: AbortSignal): Promise<AsyncIterable<ChunkEvent>> {
    const input = buildConverseRequest(call);
    const signal = this.withTotalTimeout(outer);
    let events: AsyncIterable<ConverseStreamOutput>;
    try {
      const out = await this.ready().send(new ConverseStreamCommand(input), { abortSignal: signal });
      if (!out.stream) throw new UpstreamError({ kind: "protocol", message: "Bedrock answered without a stream" });
      events = out.stream;
    } catch (err) {
      throw this.failure(err, signal);
    }
    return this.chunks(call, events, signal);
  }

  private async *chunks(call: ChatCall, events: AsyncIterable<ConverseStreamOutput>, signal: DeadlineSignal): AsyncGenerator<ChunkEvent> {
    const mapper = new ConverseStreamMapper(call, `chatcmpl-${randomUUID()}`);
    try {
      for await (const event of events) yield* mapper.map(event);
      mapper.end();
    } catch (err) {
      throw this.failure(err, signal);
    }
  }

  private ready(): BedrockRuntimeClient {
    if (!this.client) throw new UpstreamError({ kind: "configuration", message: this.notConfiguredReason ?? "not configured", provider: this.id });
    return this.client;
  }

  private withTotalTimeout(outer: AbortSignal): DeadlineSignal {
    return withDeadline(outer, this.config.timeouts.total_ms, "provider total timeout");
  }

  private failure(err: unknown, signal: AbortSignal | DeadlineSignal): UpstreamError {
    if (err instanceof UpstreamError) {
      err.provider ??= this.id;
      return err;
    }
    const outer = "outer" in signal ? signal.outer : signal;
    if (!outer.aborted && "timedOut" in signal && signal.timedOut()) {
      return new UpstreamError({ kind: "timeout", message: `no complete answer within the total timeout (${this.config.timeouts.total_ms} ms)`, provider: this.id });
    }
    if (signal.aborted) {
      const reason = outer.reason as { name?: string } | undefined;
      if (reason?.name === "TimeoutError") return new UpstreamError({ kind: "timeout", message: "the request deadline passed", provider: this.id });
      return new UpstreamError({ kind: "aborted", message: "request aborted", provider: this.id });
    }
    return mapBedrockError(err, this.id);
  }

  async close(): Promise<void> {
    this.client?.destroy();
  }
}
