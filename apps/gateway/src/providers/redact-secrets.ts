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

/** Anything key-shaped, whoever it belongs to. */
const PATTERNS: Array<[RegExp, string]> = [
  // `Bearer <token>` / `Basic <credentials>`: the scheme stays, the token goes. Lengths and the digit keep
  // prose ("the bearer of", "basic usage") as it is.
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  [/\b(Basic)\s+(?=[A-Za-z0-9+/=]*[0-9=])[A-Za-z0-9+/=]{8,}/g, `$1 ${REDACTED}`],
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-) and look-alike keys.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, REDACTED],
  // AWS access key ids, Google API keys, JWTs.
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // A long hex or base64 run after a word like key, token, secret or password ("api_key=...", "token: ...").
  [/\b((?:api[_-]?)?key|token|secret|password|credential|authorization)(s?\b["']?\s*[:=]?\s*["']?)([A-Za-z0-9+/_.=-]{20,})/gi, `$1$2${REDACTED}`],
];

/** The text with every configured secret and every key-shaped token replaced by "[redacted]". */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of configured) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
