/**
 * `events` as a Server-Sent Events body (`data: <json>` each, then `data: [DONE]`), produced one event per read so
 * that an abort of `signal` fails the next read, as it would fail the read of a network body.
 */
export function encodeSSE(events: readonly unknown[], signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (signal.aborted) {
          controller.error(signal.reason);
          return;
        }
        if (next < events.length) {
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(events[next++])}\n\n`));
        } else {
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
        }
      },
    },
    { highWaterMark: 0 },
  );
}
