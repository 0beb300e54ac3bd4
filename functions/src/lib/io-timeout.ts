/**
 * Calls `onTimeout` once `ms` have passed and the event loop has since polled for I/O: a bound on
 * how long a dependency takes, not on how busy this instance is.
 *
 * A plain `setTimeout` fires in the timers phase, before the poll phase that would deliver an
 * answer which arrived while the loop was busy with other requests; under load (80 concurrent
 * requests on one instance) that alone pushed Redis calls past a 250 ms bound although Redis
 * answered in a millisecond. Deciding from the check phase (`setImmediate`, after the poll) lets
 * such an answer settle first. Unref'd: it never keeps a process alive.
 */
export function ioTimeout(ms: number, onTimeout: () => void): { cancel(): void } {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(onTimeout);
  }, ms);
  timer.unref?.();
  return {
    cancel() {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}
