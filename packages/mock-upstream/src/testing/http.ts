/** Test helpers: plain HTTP calls and SSE parsing, the way a client would see the mock. */
export interface ParsedEvent {
  event?: string;
  data: string;
}

export function parseSse(text: string): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (!block.trim()) continue;
    const e: ParsedEvent = { data: "" };
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) e.event = line.slice(7);
      else if (line.startsWith("data: ")) e.data = line.slice(6);
    }
    events.push(e);
  }
  return events;
}

/** Reads a body until it ends or breaks; returns what arrived and whether it broke. */
export async function readUntilEnd(res: Response): Promise<{ text: string; broken: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, broken: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, broken: true };
  }
}

/** Tests assert on the bodies they read, so `json()` is left untyped here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonResponse = Omit<Response, "json"> & { json(): Promise<any> };

export function send(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  return fetch(url, { signal: AbortSignal.timeout(5000), ...init });
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return send(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    ...(signal && { signal }),
  });
}
