import { describe, expectTypeOf, it } from "vitest";
import {
  createClient,
  isQueued,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
  type Job,
  type QueuedResponse,
  type ResponseCreateParams,
  type ResponseObject,
  type ResponseStreamEvent,
  type Stream,
} from "../src/index";

// Compile-time checks (tsc --noEmit runs them); the bodies never send a request.
describe("public types", () => {
  const client = createClient({ baseUrl: "http://127.0.0.1:1", apiKey: "k" });
  const body = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

  it("types create as a completion or a queued job, narrowed by isQueued", () => {
    expectTypeOf(client.chat.completions.create(body)).resolves.toEqualTypeOf<ChatCompletion | QueuedResponse>();
    const narrow = (result: ChatCompletion | QueuedResponse) => {
      if (isQueued(result)) expectTypeOf(result).toEqualTypeOf<QueuedResponse>();
      else expectTypeOf(result.choices[0]!.message.content).toEqualTypeOf<string | null>();
    };
    expectTypeOf(narrow).toBeFunction();
  });

  it("types create as only a completion for a client that waits for queued jobs", () => {
    const waiting = createClient({ baseUrl: "http://127.0.0.1:1", waitForQueued: true });
    expectTypeOf(waiting.chat.completions.create(body)).resolves.toEqualTypeOf<ChatCompletion>();
  });

  it("types streams as Stream<ChatCompletionChunk>", () => {
    expectTypeOf(client.chat.stream).returns.resolves.toEqualTypeOf<Stream<ChatCompletionChunk>>();
    expectTypeOf(client.chat.completions.stream).returns.resolves.toEqualTypeOf<Stream<ChatCompletionChunk>>();
    expectTypeOf<Stream<ChatCompletionChunk>["job"]>().toEqualTypeOf<Job | undefined>();
  });

  it("accepts a value typed ChatCompletionCreateParams in create, typed by what stream may be", () => {
    const params: ChatCompletionCreateParams = { model: "m", messages: [{ role: "user", content: "hi" }] };
    expectTypeOf(client.chat.completions.create(params)).resolves.toEqualTypeOf<ChatCompletion | QueuedResponse | Stream<ChatCompletionChunk>>();
    expectTypeOf(client.chat.completions.create({ ...body, stream: true })).resolves.toEqualTypeOf<Stream<ChatCompletionChunk>>();
    expectTypeOf(client.chat.completions.create({ ...body, stream: false })).resolves.toEqualTypeOf<ChatCompletion | QueuedResponse>();
    const waiting = createClient({ baseUrl: "http://127.0.0.1:1", waitForQueued: true });
    expectTypeOf(waiting.chat.completions.create(params)).resolves.toEqualTypeOf<ChatCompletion | Stream<ChatCompletionChunk>>();
  });

  it("types responses.create by what stream may be, and responses.stream as Stream<ResponseStreamEvent>", () => {
    const input = { model: "m", input: "hi" };
    expectTypeOf(client.responses.create(input)).resolves.toEqualTypeOf<ResponseObject>();
    expectTypeOf(client.responses.create({ ...input, stream: true })).resolves.toEqualTypeOf<Stream<ResponseStreamEvent>>();
    const params: ResponseCreateParams = input;
    expectTypeOf(client.responses.create(params)).resolves.toEqualTypeOf<ResponseObject | Stream<ResponseStreamEvent>>();
    expectTypeOf(client.responses.stream).returns.resolves.toEqualTypeOf<Stream<ResponseStreamEvent>>();
    expectTypeOf(client.responses.retrieve).returns.resolves.toEqualTypeOf<ResponseObject>();
  });

  it("refuses unknown roles", () => {
    const never = () => {
      // @ts-expect-error the contract has no such role
      void client.chat.completions.create({ model: "m", messages: [{ role: "robot", content: "x" }] });
    };
    expectTypeOf(never).toBeFunction();
  });
});
