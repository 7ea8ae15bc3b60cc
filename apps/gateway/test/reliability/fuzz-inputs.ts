// fast-check arbitraries for hostile requests: wrong types, huge arrays, deep nesting, invalid UTF-8,
// oversized and odd headers, `__proto__` / `constructor` keys, odd unicode. Bodies are built as text
// (not objects) so that they can hold what JSON.stringify never writes: duplicate and `__proto__`
// keys, 20 000 levels of nesting, raw invalid bytes.
import fc from "fast-check";
import { encodeAll } from "./raw-http";

/** Where invalid bytes may be spliced into a template body (inside a string value). */
const BYTES = "@@BYTES@@";

const ODD = [
  "\u0000",
  "\uFEFF",
  "\u202E",
  "\u200B\u200D",
  "\uD800",
  "\uDFFF",
  "\uFFFF",
  "𝕳𝖊𝖑𝖑𝖔",
  "👩‍👩‍👧‍👦",
  "e\u0301\u0301\u0301",
  "İı",
  "\r\n\r\n",
  "%00",
  "../../etc/passwd",
  "${jndi:ldap://127.0.0.1/x}",
  "<script>alert(1)</script>",
  "'; DROP TABLE keys;--",
  "__proto__",
  "constructor",
];

export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.array(fc.constantFrom(...ODD), { minLength: 1, maxLength: 6 }).map((a) => a.join("")),
);

/** A JSON value, as text. */
export const jsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: oddString.map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: fc.constantFrom("1e999", "-1e999", "-0", "9007199254740993", "-1", "0", "1.5", "true", "null", '""', "{}", "[]", "1e-400") },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1_000, max: 150_000 }), fc.constantFrom("0", '"x"', "{}", "[]", "null", '{"role":"user","content":"hi"}', '{"type":"text","text":"hi"}'))
      .map(([n, item]) => `[${Array(n).fill(item).join(",")}]`),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom("[", '{"a":', '{"__proto__":')).map(([n, open]) => `${open.repeat(n)}1${(open === "[" ? "]" : "}").repeat(n)}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"admin":true,"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"__proto__":null}',
      '[{"__proto__":{"role":"system"}}]',
      '{"toString":1,"valueOf":"x","hasOwnProperty":[]}',
    ),
  },
);

const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80, 0x80], [0xe2, 0x82], [0x00]].map((b) => Buffer.from(b));

/** How a request prints in a counterexample: short enough to read, enough to replay by seed. */
export function describeRequest(r: FuzzRequest): string {
  const headers = r.headers.map(([k, v]) => `${k}: ${v.length > 60 ? `<${v.length} bytes>` : JSON.stringify(v.toString("latin1" as never))}`).join("; ");
  const body = r.body ? (r.body.length > 300 ? `<${r.body.length} bytes> ${JSON.stringify(r.body.subarray(0, 200).toString("latin1"))}...` : JSON.stringify(r.body.toString("latin1"))) : "none";
  return `${r.kind}: ${r.method} ${r.target.slice(0, 200)} | ${headers} | body ${body}`;
}

export interface FuzzRequest {
  method: string;
  target: string;
  headers: Array<[string, string | Buffer]>;
  body?: Buffer;
  /** What kind of hostility this request carries (for the counts). */
  kind: string;
}

type Path = Array<string | number>;
export interface BodyTemplate {
  value: Record<string, unknown>;
  /** Fields the fuzzer replaces, as paths into `value`. */
  fields: Path[];
}

function printable(r: FuzzRequest): FuzzRequest {
  return Object.defineProperty(r, fc.toStringMethod, { value: () => describeRequest(r), enumerable: false });
}

const MARK = (i: number) => `\u0001RAW${i}\u0001`;

/** Serialises the template with some fields replaced by raw JSON text (keys such as `__proto__` included). */
function mutate(template: BodyTemplate, replacements: Array<{ path: Path; text: string }>): string {
  const copy = structuredClone(template.value) as Record<string, unknown>;
  replacements.forEach(({ path }, i) => {
    let node: Record<string | number, unknown> = copy;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== "object" || next === null) return;
      node = next as Record<string | number, unknown>;
    }
    // defineProperty makes `__proto__` an own, serialised key instead of changing the prototype.
    Object.defineProperty(node, path.at(-1)!, { value: MARK(i), enumerable: true, configurable: true, writable: true });
  });
  let text = JSON.stringify(copy);
  replacements.forEach(({ text: raw }, i) => (text = text.replace(JSON.stringify(MARK(i)), () => raw)));
  return text;
}

function withBytes(text: string, bytes: Buffer | null): Buffer {
  const at = text.indexOf(BYTES);
  if (at < 0) return Buffer.from(text);
  return Buffer.concat([Buffer.from(text.slice(0, at)), bytes ?? Buffer.alloc(0), Buffer.from(text.slice(at + BYTES.length))]);
}

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant("application/json") },
  { weight: 2, arbitrary: fc.constantFrom("application/json; charset=utf-8", "application/vnd.api+json", "application/json; charset=latin1") },
  { weight: 1, arbitrary: fc.constantFrom("text/plain", "application/json; charset=utf-16", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined) },
);

/** `arb` in about `percent` % of the cases, else null. */
const sometimes = <T>(percent: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(null) }, { weight: percent, arbitrary: arb });

/** Headers: sometimes oversized, sometimes odd values in headers the gateway reads (raw UTF-8 bytes included). */
const extraHeaders: fc.Arbitrary<Array<[string, string | Buffer]>> = fc
  .tuple(
    sometimes(12, fc.integer({ min: 9_000, max: 70_000 })),
    sometimes(20, fc.tuple(fc.constantFrom("x-request-id", "x-runestone-overflow", "x-runestone-base-url", "anthropic-version", "traceparent", "x-forwarded-for", "accept", "origin"), oddString)),
  )
  .map(([pad, odd]) => {
    const h: Array<[string, string | Buffer]> = [];
    if (pad !== null) h.push(["x-fuzz-pad", "a".repeat(pad)]);
    if (odd !== null) h.push([odd[0], Buffer.from(odd[1].replace(/[\r\n]/g, " "), "utf8")]);
    return h;
  });

export const authHeader = (key: string): fc.Arbitrary<string | Buffer> =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(`Bearer ${key}`) }, { weight: 1, arbitrary: oddString.map((s) => Buffer.from(`Bearer ${s.replace(/[\r\n]/g, "")}`, "utf8")) });

type Headers = Array<[string, string | Buffer]>;
const noHeaders: fc.Arbitrary<Headers> = fc.constant([]);

/** A header value from an arbitrary string, as raw UTF-8 bytes (line breaks taken out: they would end the header). */
const headerValue = (s: string): Buffer => Buffer.from(s.replace(/[\r\n]/g, " "), "utf8");

/**
 * Headers a route reads, each sometimes sent (`percent`): a value from `values` (its usual and edge values)
 * or, one time in four, an odd string.
 */
export function routeHeaders(percent: number, headers: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<Headers> {
  return fc
    .tuple(...Object.entries(headers).map(([name, values]) => sometimes(percent, fc.oneof({ weight: 3, arbitrary: values }, { weight: 1, arbitrary: oddString }).map((v) => [name, headerValue(v)] as [string, Buffer]))))
    .map((hs) => hs.filter((h): h is [string, Buffer] => h !== null));
}

/** A hostile POST/PUT body for a route, built from a valid template; `headers` adds the route's own (fuzzed) headers. */
export function bodyRequest(method: string, target: string, template: BodyTemplate, auth: fc.Arbitrary<string | Buffer>, headerName = "authorization", headers: fc.Arbitrary<Headers> = noHeaders): fc.Arbitrary<FuzzRequest> {
  const fieldPaths: Path[] = [...template.fields, ["__proto__"], ["constructor"], ["prototype"]];
  const mutated = fc
    .array(fc.record({ path: fc.constantFrom(...fieldPaths), text: jsonText }), { minLength: 1, maxLength: 3 })
    .map((r) => ({ text: mutate(template, r), kind: r.some((x) => typeof x.path[0] === "string" && ["__proto__", "constructor", "prototype"].includes(x.path[0])) ? "proto-keys" : "wrong-types" }));
  const whole = jsonText.map((text) => ({ text, kind: "any-json" }));
  const garbage = fc.oneof(
    fc.nat().map((n) => {
      const t = JSON.stringify(template.value);
      return { text: t.slice(0, n % t.length), kind: "truncated-json" };
    }),
    fc.uint8Array({ maxLength: 200 }).map((a) => ({ text: Buffer.from(a).toString("latin1"), kind: "random-bytes" })),
  );
  return fc
    .tuple(
      fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 2, arbitrary: whole }, { weight: 1, arbitrary: garbage }, { weight: 1, arbitrary: fc.constant({ text: JSON.stringify(template.value), kind: "valid" }) }),
      sometimes(20, fc.constantFrom(...INVALID_UTF8)),
      contentType,
      extraHeaders,
      auth,
      headers,
    )
    .map(([b, bytes, type, extra, key, own]) => {
      const all: Headers = [[headerName, key], ...extra, ...own];
      if (type) all.push(["content-type", type]);
      const kind = bytes ? "invalid-utf8" : extra.some(([k]) => k === "x-fuzz-pad") ? "oversized-header" : b.kind;
      return printable({ method, target, headers: all, body: b.text.includes(BYTES) || bytes ? withBytes(b.text, bytes) : Buffer.from(b.text, b.kind === "random-bytes" ? "latin1" : "utf8"), kind });
    });
}

/** Odd path segments: unicode, percent signs that decode to nothing, traversal, very long ids. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: oddString.filter((s) => s.length > 0).map(encodeAll) },
  { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%E0%A4%A", "..", "%2e%2e", "a%00b", "job_00000000000000000000000000", "x".repeat(5_000), "%C0%AF", "__proto__", "constructor") },
);

/** Odd query strings: repeated keys, prototype names, unicode, bad percent-encoding, numbers at and past their edges. */
export const queryString = (keys: string[]): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(fc.constantFrom(...keys, "__proto__", "constructor", "x"), fc.oneof(oddString.map(encodeAll), fc.constantFrom("2024-01-01", "2024-13-45", "9999-12-31", "0000-00-00", "%", "day,model,tenant,label", "none,none", "", "0", "-1", "1", "1.5", "1e3", "NaN", "99999999999999999999", "asc", "desc", "resp_0", "msg_0"))), { maxLength: 5 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encodeAll(k)}=${v}`).join("&")}` : ""));

/** A GET/DELETE with fuzzed path and query; `headers` adds the route's own (fuzzed) headers. */
export function pathRequest(method: string, build: (segment: string, query: string) => string, queryKeys: string[], auth: fc.Arbitrary<string | Buffer>, headers: fc.Arbitrary<Headers> = noHeaders): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(pathSegment, queryString(queryKeys), extraHeaders, auth, headers).map(([seg, q, extra, key, own]) =>
    printable({
      method,
      target: build(seg, q),
      headers: [["authorization", key], ...extra, ...own],
      kind: extra.some(([k]) => k === "x-fuzz-pad") ? "oversized-header" : "odd-path-or-query",
    }),
  );
}
