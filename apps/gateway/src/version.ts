// The gateway's version, reported by /health.
export const version = "0.1.0";
