/**
 * Long work in slices, so that the language server answers every message while it lints or walks a huge document:
 * a slice runs steps for at most SLICE_MS, then the event loop turns (and the connection handles what arrived)
 * before the next slice.
 */

/** Long enough that a slice's overhead is small, short enough that a request waits for at most about this. */
const SLICE_MS = 8;

/** One turn of the event loop: what was waiting for it (messages, timers, IO) runs first. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The first turn of the event loop in which no message was handled since the turn before (the connection handles
 * one per turn while any wait): while messages keep coming, background work waits, so that it never delays them.
 */
export function quietTurn(messagesHandled: () => number, onBusyTurn?: (busyTurns: number) => void): Promise<void> {
  return new Promise((resolve) => {
    // Counted from the first look, one turn from now: a message handled earlier in this turn must not count.
    let seen = -1;
    let busyTurns = 0;
    const look = (): void => {
      const now = messagesHandled();
      if (now === seen) resolve();
      else {
        if (seen >= 0) onBusyTurn?.(++busyTurns);
        seen = now;
        setImmediate(look);
      }
    };
    setImmediate(look);
  });
}

/**
 * Runs `steps` to the end, a slice at a time, waiting for `pause()` between slices; stops and returns undefined as
 * soon as `stop(step)` says so after a step. Resolves to the steps' result and the time spent in the slices.
 */
export async function inSlices<Step, Result>(
  steps: Generator<Step, Result>,
  pause: () => Promise<void>,
  stop: (step: Step) => boolean,
): Promise<{ result: Result; busyMs: number } | undefined> {
  let busyMs = 0;
  for (;;) {
    const start = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done) return { result: step.value, busyMs: busyMs + performance.now() - start };
      if (stop(step.value)) {
        steps.return(undefined as Result);
        return undefined;
      }
      if (performance.now() - start >= SLICE_MS) break;
    }
    busyMs += performance.now() - start;
    await pause();
  }
}
