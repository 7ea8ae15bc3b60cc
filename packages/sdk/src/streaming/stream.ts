import { APIUserAbortError } from "../errors/api-user-abort-error";
import { readErrorObject } from "../errors/make-error";
import { RunestoneError } from "../errors/runestone-error";
import { StreamError } from "../errors/stream-error";
import type { ChatCompletionChunk, Job, ResponseObject, ResponseStreamEvent } from "../types";
import { decodeSSE } from "./decode-sse";

/**
 * A streamed answer: an async iterable of parsed `data:` events that ends at `data: [DONE]` (or, for Anthropic's
 * Messages format, after the `message_stop` event; for the Responses API, after `response.completed`,
 * `response.incomplete` or `response.failed`). An `{"error": ...}` event, a malformed event or an end before
 * the terminator throws StreamError. Leaving the loop early (`break`, `return`, a throw in its body) aborts the HTTP
 * request. A Stream can be consumed once.
 */
export class Stream<T> implements AsyncIterable<T> {
  /**
   * The HTTP response (status 200), for its headers, e.g. `x-runestone-provider`. For a stream replayed from a
   * queued job, a 200 stand-in carrying the `202`'s headers and the answer's provider and routing policy.
   */
  readonly response: Response;
  /** The gateway's request id (the `x-request-id` header). */
  readonly requestId: string | undefined;
  /**
   * The job whose completion this stream replays, when the gateway queued the request (`202`) and the client was
   * created with `waitForQueued: true`; undefined for a stream read live from the gateway.
   */
  readonly job: Job | undefined;
  private readonly body: ReadableStream<Uint8Array>;
  private readonly controller: AbortController;
  private readonly userSignal: AbortSignal | undefined;
  private readonly lastEvent: readonly string[] | undefined;
  private consumed = false;

  /**
   * @param controller aborting it must abort the HTTP request (its signal was given to fetch).
   * @param userSignal the caller's own signal, to tell their abort from ours.
   * @param lastEvent the `event:` name (or names) that ends the stream (yielded, then done) instead of `data: [DONE]`.
   * @param job the queued job whose completion `body` replays.
   */
  constructor(
    body: ReadableStream<Uint8Array>,
    response: Response,
    controller: AbortController,
    userSignal?: AbortSignal,
    lastEvent?: string | readonly string[],
    job?: Job,
  ) {
    this.lastEvent = typeof lastEvent === "string" ? [lastEvent] : lastEvent;
    this.job = job;
    this.body = body;
    this.response = response;
    this.controller = controller;
    this.userSignal = userSignal;
    this.requestId = response.headers.get("x-request-id") ?? undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.consumed) throw new Error("This stream has already been consumed; a Stream can be iterated once.");
    this.consumed = true;
    return this.iterate();
  }

  /** Aborts the HTTP request; a loop over the stream then ends with APIUserAbortError only if the caller's signal fired. */
  abort(): void {
    this.controller.abort();
  }

  /** The events as a web ReadableStream of objects; cancelling it aborts the HTTP request. */
  toReadableStream(): ReadableStream<T> {
    let iterator: AsyncIterator<T> | undefined;
    return new ReadableStream<T>({
      start: () => {
        iterator = this[Symbol.asyncIterator]();
      },
      pull: async (controller) => {
        const next = await iterator!.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel: async () => {
        await iterator?.return?.();
      },
    });
  }

  /** Consumes the stream and returns the text of one choice (the first by default), assembled from its deltas. */
  async finalText(this: Stream<ChatCompletionChunk>, choiceIndex = 0): Promise<string> {
    let text = "";
    for await (const chunk of this) {
      for (const choice of chunk.choices) {
        if (choice.index === choiceIndex && typeof choice.delta.content === "string") text += choice.delta.content;
      }
    }
    return text;
  }

  /**
   * Consumes a Responses API stream and returns the final `response` (of `response.completed`, or
   * `response.incomplete`: check its `incomplete_details`). A `response.failed` throws StreamError with the
   * response's `error`, so a failure is never mistaken for an answer.
   */
  async finalResponse(this: Stream<ResponseStreamEvent>): Promise<ResponseObject> {
    let last: ResponseStreamEvent | undefined;
    for await (const event of this) last = event;
    const response = last?.response;
    if (last?.type === "response.failed" || !response) {
      const raw = (response?.error ?? undefined) as { message?: unknown; code?: unknown } | undefined;
      const message = typeof raw?.message === "string" ? raw.message : "The response failed.";
      throw new StreamError(message, {
        error: { message, type: "api_error", code: typeof raw?.code === "string" ? raw.code : null, param: null },
        headers: this.response.headers,
      });
    }
    return response;
  }

  private async *iterate(): AsyncGenerator<T> {
    let done = false;
    try {
      for await (const event of decodeSSE(this.body)) {
        if (event.data === "[DONE]") {
          done = true;
          return;
        }
        const payload = this.parse(event.data);
        const error = readErrorObject(payload);
        if (error || event.event === "error") {
          throw new StreamError(error?.message ?? `The stream sent an error event: ${event.data}`, {
            error,
            headers: this.response.headers,
          });
        }
        if (this.lastEvent !== undefined && event.event !== undefined && this.lastEvent.includes(event.event)) {
          done = true;
          yield payload as T;
          return;
        }
        yield payload as T;
      }
      throw new StreamError(`The stream ended without ${this.terminator}: the answer is incomplete.`, {
        headers: this.response.headers,
      });
    } catch (error) {
      throw this.explain(error);
    } finally {
      // Reached on [DONE], on error, and when the consumer leaves the loop early (the generator's return()).
      if (!done) this.controller.abort();
    }
  }

  private get terminator(): string {
    return this.lastEvent === undefined ? "data: [DONE]" : `event: ${this.lastEvent.join(" or ")}`;
  }

  private parse(data: string): unknown {
    try {
      return JSON.parse(data);
    } catch (cause) {
      throw new StreamError(`The stream sent an event that is not JSON: ${data.slice(0, 200)}`, {
        headers: this.response.headers,
        cause,
      });
    }
  }

  private explain(error: unknown): RunestoneError {
    if (error instanceof RunestoneError) return error;
    const init = { cause: error };
    if (this.userSignal?.aborted) return new APIUserAbortError(undefined, init);
    if (this.controller.signal.aborted) return new APIUserAbortError("The stream was aborted.", init);
    return new StreamError(`The connection was lost before ${this.terminator}: the answer is incomplete.`, {
      headers: this.response.headers,
      cause: error,
    });
  }
}

