/**
 * Gemini 3 models attach a `thoughtSignature` to the function call parts of a thinking turn and refuse (400) a
 * later turn whose function calls come back without it. OpenAI's format has nowhere to keep it except the tool
 * call id, which every client echoes unchanged (in the assistant turn and as `tool_call_id`), so it rides there:
 * `<id>__thought__<signature>`. Signatures are base64, which has no `_`, so the marker cannot occur inside one.
 */
const MARK = "__thought__";

export function idWithThoughtSignature(id: string, signature: string | undefined): string {
  return signature ? `${id}${MARK}${signature}` : id;
}

export function thoughtSignatureOf(id: string | undefined): string | undefined {
  const at = id?.indexOf(MARK) ?? -1;
  return at < 0 ? undefined : id!.slice(at + MARK.length) || undefined;
}
