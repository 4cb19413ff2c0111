/** Progress on one line, only when stderr is a terminal (CronJob logs get the summary line only). */
export function progressLine(): { update: (text: string) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update: (text) => {
      if (!tty) return;
      process.stderr.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    done: () => {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}

/**
 * An AbortSignal raised by the first SIGTERM (a CronJob being stopped) or SIGINT, so a run can
 * give back the messages it holds before it exits; a second signal exits at once.
 */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (name: string) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`${name}: finishing the batch in hand and giving held messages back (again to exit now)\n`);
    controller.abort();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return controller.signal;
}
