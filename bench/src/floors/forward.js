// The forward both floors share: the request body as received, POSTed to the upstream's chat
// completions over one undici keep-alive pool, and the upstream's status and body relayed. A
// streaming answer (the upstream's content-type is text/event-stream, as the mock and OpenAI answer a
// `"stream": true` request) is handed back unread, for the floor to pipe to its client chunk by chunk
// as it arrives; any other answer is read whole, as before. The floors so decide without parsing the
// request (the Node floor never parses it).
import { Pool } from "undici";

export function upstreamForwarder(upstreamUrl, apiKey) {
  const url = new URL(upstreamUrl);
  const pool = new Pool(url.origin, { connections: 256, pipelining: 1 });
  const path = `${url.pathname.replace(/\/$/, "")}/chat/completions`;
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  return {
    /** `{ status, body: Buffer }`, or `{ status, contentType, stream: Readable }` for an SSE answer. */
    async forward(body) {
      const res = await pool.request({ method: "POST", path, headers, body });
      const type = res.headers["content-type"];
      if (typeof type === "string" && type.startsWith("text/event-stream")) return { status: res.statusCode, contentType: type, stream: res.body };
      return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
    },
    close: () => pool.close(),
  };
}

/** Argument parsing shared by the floors: --port, --upstream (base URL ending in /v1), --key. */
export function floorArgs(argv) {
  const get = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const port = Number(get("port"));
  const upstream = get("upstream");
  const key = get("key") ?? "sk-bench";
  if (!port || !upstream) throw new Error("usage: --port N --upstream http://host:port/v1 [--key K]");
  return { port, upstream, key };
}
