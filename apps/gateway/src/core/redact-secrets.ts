// Upstream text (error messages, error events) is relayed to tenants and written to logs; an upstream that
// echoes a credential (its own error saying "invalid Bearer sk-...", a proxy dumping the request headers) must
// not hand it on. One function, applied where upstream errors are built (UpstreamError), so no route can forget.

/** Shorter configured values ("none", "dummy" for a local server) are too common as words to redact. */
const MIN_SECRET_LENGTH = 8;
const REDACTED = "[redacted]";

/** The gateway's own secrets (provider API keys, admin key), registered as the config is read. */
const configured = new Set<string>();

export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const v of values) if (v && v.length >= MIN_SECRET_LENGTH) configured.add(v);
}

/**
 * Anything key-shaped, whoever it belongs to. Every pattern runs in time linear in the text (callers cut
 * upstream text to a few KB first, but a pattern must not hang the process whatever it is given): whitespace
 * runs are bounded ({1,4}), a token run either ends the match (so a failed attempt scans at most its minimum
 * length) or can only start where the run starts (the lookbehind), so no two attempts rescan the same run.
 */
const PATTERNS: Array<[RegExp, string]> = [
  // `Bearer <token>` / `Basic <credentials>`: the scheme stays, the token goes. Lengths and the digit keep
  // prose ("the bearer of", "basic usage") as it is.
  [/\b(Bearer)\s{1,4}[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  [/\b(Basic)\s{1,4}(?=[A-Za-z0-9+/=]*[0-9=])[A-Za-z0-9+/=]{8,}/g, `$1 ${REDACTED}`],
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-) and look-alike keys.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, REDACTED],
  // AWS access key ids, Google API keys, JWTs. A JWT attempt can fail after scanning a whole segment (no dot
  // after it), so it only starts where a token run starts, not at every "-eyJ" inside one, and each segment is
  // taken whole (`(?=(run))\1` is an atomic group: the run is never given back char by char).
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
  [/(?<![A-Za-z0-9_-])eyJ(?=([A-Za-z0-9_-]{8,}))\1\.(?=([A-Za-z0-9_-]{8,}))\2\.[A-Za-z0-9_-]*/g, REDACTED],
  // A long hex or base64 run after a word like key, token, secret or password ("api_key=...", "token: ...").
  [/\b((?:api[_-]?)?key|token|secret|password|credential|authorization)(s?\b["']?\s{0,4}[:=]?\s{0,4}["']?)([A-Za-z0-9+/_.=-]{20,})/gi, `$1$2${REDACTED}`],
];

/** The text with every configured secret and every key-shaped token replaced by "[redacted]". */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of configured) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Upstream text is read up to 32 MiB; only this much of it is ever redacted or shown. Twice the longest
 * excerpt shown, so a secret that straddles this cut (and escapes the exact-match pass) is cut away again
 * with the excerpt, as long as it is shorter than the excerpt.
 */
export const REDACT_WINDOW_CHARS = 8192;

/** At most `maxChars` characters of `text`, redacted: cut to the window, redacted, then cut to the length shown. */
export function redactExcerpt(text: string, maxChars: number): string {
  return redactSecrets(text.slice(0, Math.max(REDACT_WINDOW_CHARS, 2 * maxChars))).slice(0, maxChars);
}
