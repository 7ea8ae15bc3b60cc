// The `bedrock` provider kind: AWS Bedrock Runtime Converse / ConverseStream through the official AWS SDK
// (SigV4 signing, event-stream decoding). One SDK client per provider, so its keep-alive sockets are reused.
// The SDK is loaded on the first call (about 65 ms of imports), so a gateway without Bedrock calls never pays it.
import { randomUUID } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { BedrockRuntimeClient, BedrockRuntimeClientConfig, ConverseStreamOutput } from "@aws-sdk/client-bedrock-runtime";
import type { ProviderConfig } from "../../config/schema";
import type { ChatCall, ChatCompletion, ChunkEvent, Provider } from "../../core/provider-contract";
import { registerSecrets } from "../../core/redact-secrets";
import { UpstreamError } from "../../core/upstream-error";
import { withDeadline, type Deadline } from "../../resilience/deadline";
import { deadlineStop } from "../deadline-stop";
import { buildConverseRequest } from "./build-converse-request";
import { mapBedrockError } from "./map-bedrock-error";
import { mapConverseResponse } from "./map-converse-response";
import { ConverseStreamMapper } from "./converse-stream-mapper";

type Sdk = typeof import("@aws-sdk/client-bedrock-runtime");

export class BedrockProvider implements Provider {
  readonly kind = "bedrock" as const;
  readonly configured: boolean;
  readonly notConfiguredReason?: string;
  private readonly region?: string;
  private sdk?: Promise<{ sdk: Sdk; client: BedrockRuntimeClient }>;

  constructor(
    readonly id: string,
    private readonly config: ProviderConfig,
  ) {
    registerSecrets([config.secret_access_key, config.session_token]);
    this.region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!this.region) {
      this.configured = false;
      this.notConfiguredReason = `provider ${id} (bedrock) has no region: set region in its config or AWS_REGION`;
    } else if (!config.access_key_id !== !config.secret_access_key) {
      // One without the other is a typo, not a wish for the default chain: say so instead of signing as someone else.
      this.configured = false;
      this.notConfiguredReason = `provider ${id} (bedrock) needs both access_key_id and secret_access_key, or neither (the AWS default credential chain)`;
    } else {
      this.configured = true;
    }
  }

  async complete(call: ChatCall, outer: AbortSignal): Promise<ChatCompletion> {
    // Built outside the try: a request Bedrock cannot take is the client's 400 (RequestTranslationError), not an upstream failure.
    const input = buildConverseRequest(call);
    const d = this.withTotalTimeout(outer);
    try {
      const { sdk, client } = await this.connect();
      const out = await client.send(new sdk.ConverseCommand(input), { abortSignal: d.signal });
      return mapConverseResponse(out, call, `chatcmpl-${randomUUID()}`);
    } catch (err) {
      throw this.failure(err, d);
    } finally {
      // The provider's own timer and its listener on the request signal end with the call, as in http-provider.ts.
      d.dispose();
    }
  }

  async stream(call: ChatCall, outer: AbortSignal): Promise<AsyncIterable<ChunkEvent>> {
    const input = buildConverseRequest(call);
    const d = this.withTotalTimeout(outer);
    let events: AsyncIterable<ConverseStreamOutput>;
    try {
      const { sdk, client } = await this.connect();
      const out = await client.send(new sdk.ConverseStreamCommand(input), { abortSignal: d.signal });
      if (!out.stream) throw new UpstreamError({ kind: "protocol", message: "Bedrock answered without a stream" });
      events = out.stream;
    } catch (err) {
      const failure = this.failure(err, d);
      d.dispose();
      throw failure;
    }
    return this.chunks(call, events, d);
  }

  private async *chunks(call: ChatCall, events: AsyncIterable<ConverseStreamOutput>, d: Deadline): AsyncGenerator<ChunkEvent> {
    const mapper = new ConverseStreamMapper(call, `chatcmpl-${randomUUID()}`);
    try {
      for await (const event of events) yield* mapper.map(event);
      mapper.end();
    } catch (err) {
      throw this.failure(err, d);
    } finally {
      d.dispose();
    }
  }

  /** The SDK and this provider's one client, made on first use. */
  private connect(): Promise<{ sdk: Sdk; client: BedrockRuntimeClient }> {
    if (!this.configured) {
      return Promise.reject(new UpstreamError({ kind: "configuration", message: this.notConfiguredReason ?? "not configured", provider: this.id }));
    }
    this.sdk ??= Promise.all([import("@aws-sdk/client-bedrock-runtime"), import("@smithy/node-http-handler")]).then(([sdk, { NodeHttpHandler }]) => {
      const { config } = this;
      const options: BedrockRuntimeClientConfig = {
        region: this.region,
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
      };
      return { sdk, client: new sdk.BedrockRuntimeClient(options) };
    });
    return this.sdk;
  }

  private withTotalTimeout(outer: AbortSignal): Deadline {
    return withDeadline(outer, this.config.timeouts.total_ms, "provider total timeout");
  }

  private failure(err: unknown, d: Deadline): UpstreamError {
    if (err instanceof UpstreamError) {
      err.provider ??= this.id;
      return err;
    }
    return deadlineStop(d, this.config.timeouts.total_ms, this.id) ?? mapBedrockError(err, this.id);
  }

  async close(): Promise<void> {
    if (this.sdk) (await this.sdk.catch(() => undefined))?.client.destroy();
  }
}
