// The nested vitest run of report.test.ts: only the fixture files of this folder.
import { fileURLToPath } from "node:url";

export default { test: { root: fileURLToPath(new URL(".", import.meta.url)), include: ["*.fixture.ts"] } };
