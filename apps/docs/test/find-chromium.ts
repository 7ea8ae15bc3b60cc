// The browser the docs test drives: CHROMIUM_PATH, else the first of chromium, chromium-browser or
// google-chrome on PATH (Debian's package installs /usr/bin/chromium; others name it differently).
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome"];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser's path; throws one clear error naming what to install or set when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROMIUM_PATH) {
    if (executable(env.CHROMIUM_PATH)) return env.CHROMIUM_PATH;
    throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file`);
  }
  const dirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const dir of dirs) for (const name of CHROMIUM_NAMES) if (executable(join(dir, name))) return join(dir, name);
  throw new Error(
    `no Chromium found (looked for ${CHROMIUM_NAMES.join(", ")} on PATH): run npm test, which installs it (as root), or apt-get install -y chromium, or set CHROMIUM_PATH`,
  );
}
