// The published declarations, compiled the way a consumer without strictNullChecks (strict: false) compiles
// them, from ESM and from CommonJS, with skipLibCheck off so that dist/*.d.ts itself is checked too. One tsc run
// for all of it: checking the declarations takes a while on a loaded machine.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const sdk = fileURLToPath(new URL("..", import.meta.url));
const tsc = join(sdk, "node_modules", "typescript", "bin", "tsc");

const consumer = `
import { createClient, isQueued, NotFoundError, RateLimitError, JobError, QueuedError, Stream } from "@runestone/sdk";
import type { ChatCompletion, ChatCompletionChunk, Job, MessageStreamEvent, QueuedResponse } from "@runestone/sdk";

export async function main(): Promise<string> {
  const client = createClient({ baseUrl: "http://127.0.0.1:4001", apiKey: "sk-runestone-dev" });
  const result = await client.chat.completions.create({ model: "mock-echo", messages: [{ role: "user", content: "hi" }] });
  let text: string = "";
  if (isQueued(result)) {
    const queued: QueuedResponse = result;
    const job: Job = await client.jobs.wait(queued.job_id, { pollInterval: 100 });
    text = job.result ? job.result.choices[0].message.content : "";
  } else {
    const completion: ChatCompletion = result;
    text = completion.choices[0].message.content;
  }
  const stream: Stream<ChatCompletionChunk> = await client.chat.completions.stream({
    model: "mock-echo",
    messages: [{ role: "user", content: "stream" }],
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) text += chunk.choices.length ? chunk.choices[0].delta.content : "";
  const replayed: Job | undefined = stream.job;
  text += replayed ? replayed.id : "";
  const events: Stream<MessageStreamEvent> = await client.messages.stream({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
  for await (const event of events) text += event.type;
  const waiting = createClient({ baseUrl: "http://127.0.0.1:4001", waitForQueued: true });
  const done: ChatCompletion = await waiting.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
  text += done.id;
  const embedding = await client.embeddings.create({ model: "e", input: ["a", "b"], dimensions: 4 });
  text += embedding.data.length;
  const usage = await client.usage.retrieve({ group_by: "day" });
  text += JSON.stringify(usage);
  const key = await client.admin.keys.create({ tenant_id: "acme", limits: { max_concurrent: null } });
  text += key.id + (await client.admin.tenants.limits.update("acme", {})).tenant_id;
  text += await client.metrics.retrieve();
  try {
    await client.models.retrieve("nope");
  } catch (err) {
    if (err instanceof NotFoundError) text += err.code + err.requestId;
    if (err instanceof RateLimitError) text += err.retryAfter;
    if (err instanceof JobError) text += err.job.status;
    if (err instanceof QueuedError) text += err.jobId + err.queued.estimated_wait_time;
  }
  const { data, error } = await client.raw.GET("/v1/models/{model}", { params: { path: { model: "gpt-4o" } } });
  return text + (data ? data.id : error.error.message);
}
`;

// A type error the compiler must still report: if it did not, the directive itself would be the error (TS2578).
const mistake = `
import { createClient } from "@runestone/sdk";
// @ts-expect-error baseUrl is a string
export const client = createClient({ baseUrl: 1 });
`;

let dir: string;
let diagnostics: string;

beforeAll(() => {
  if (!existsSync(join(sdk, "dist", "index.d.ts"))) throw new Error("packages/sdk/dist is missing: run pnpm build");
  dir = mkdtempSync(join(tmpdir(), "runestone-sdk-nonstrict-"));
  mkdirSync(join(dir, "node_modules", "@runestone"), { recursive: true });
  symlinkSync(sdk, join(dir, "node_modules", "@runestone", "sdk"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  // The same consumer as an ES module (resolves dist/index.d.ts) and as CommonJS (resolves dist/index.d.cts).
  writeFileSync(join(dir, "consumer.mts"), consumer);
  writeFileSync(join(dir, "consumer.cts"), consumer);
  writeFileSync(join(dir, "mistake.mts"), mistake);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: false,
        strictNullChecks: false,
        noImplicitAny: false,
        // Our declarations (and openapi-fetch's) are checked too; only TypeScript's own lib files are skipped.
        skipLibCheck: false,
        skipDefaultLibCheck: true,
        noEmit: true,
        target: "ES2022",
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        module: "nodenext",
        moduleResolution: "nodenext",
        types: [],
      },
      files: ["consumer.mts", "consumer.cts", "mistake.mts"],
    }),
  );
  try {
    execFileSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8", stdio: "pipe" });
    diagnostics = "";
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    diagnostics = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim() || String(error);
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the published types without strictNullChecks", () => {
  it("compile for an ESM and a CommonJS consumer, declarations included", () => {
    expect(diagnostics).toBe("");
  });

  it("are the published files, dist/index.d.ts for import and dist/index.d.cts for require", { timeout: 60_000 }, () => {
    const files = execFileSync(process.execPath, [tsc, "-p", dir, "--listFilesOnly"], { encoding: "utf8" });
    expect(files).toMatch(/sdk[\\/]dist[\\/]index\.d\.ts/);
    expect(files).toMatch(/sdk[\\/]dist[\\/]index\.d\.cts/);
  });
});
