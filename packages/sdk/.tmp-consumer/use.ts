import { createClient, isQueued, RateLimitError, type ChatCompletionChunk } from "../dist/index.js";
const c = createClient({ baseUrl: "http://x", apiKey: "k" });
async function main() {
  const r = await c.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
  if (!isQueued(r)) console.log(r.choices[0]?.message.content);
  const s = await c.chat.stream({ model: "m", messages: [{ role: "user", content: "hi" }] });
  for await (const ch of s) { const x: ChatCompletionChunk = ch; console.log(x.choices.length); }
  console.log(await s.finalText(), RateLimitError);
}
void main;
