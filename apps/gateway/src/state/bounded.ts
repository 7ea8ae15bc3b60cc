// Waits for a cleanup step at most `ms`: a shutdown must not hang because a backend is down.
export async function bounded(step: Promise<unknown> | undefined, ms = 3_000): Promise<boolean> {
  if (!step) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([step.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
