// Ctrl-C and SIGTERM stop a long-running command cleanly, once; a second Ctrl-C forces the exit.
export function onShutdown(stop: () => Promise<void>, log: (msg: string) => void = () => {}): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) {
        log(`${signal} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      log(`${signal}: stopping…`);
      stop()
        .catch((e) => log(`error while stopping: ${(e as Error).message}`))
        .finally(resolve);
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    // A service started by `atix up` or `atix run` stops when that process is gone, however it ended.
    const parent = Number(process.env.ATIX_PARENT_PID);
    if (parent) {
      const watch = setInterval(() => {
        if (process.ppid !== parent) {
          clearInterval(watch);
          handler("SIGTERM");
        }
      }, 1_000);
      watch.unref();
    }
  });
}
