/** Deterministic ids per mock instance: `chatcmpl-mock000001`, `toolu_mock000002`, ... */
export class IdSource {
  private n = 0;

  next(prefix: string): string {
    this.n += 1;
    return `${prefix}mock${String(this.n).padStart(6, "0")}`;
  }
}

export const SYSTEM_FINGERPRINT = "fp_mock0000";
