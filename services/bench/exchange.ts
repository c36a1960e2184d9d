// The exchange a bench measures on: the generated roster of N agencies in a temporary folder,
// brought up by `launch` as `atix up` does (its own nats-server on a free loopback port, a
// temporary store), and everything removed again afterwards. The fan-out bench (atix.ts) and the
// history bench (history-run.ts) both start theirs here, so both measure the same deployment.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Roster } from "../../shared/contracts/index.ts";
import { launch, type Launched, type LaunchOptions } from "../launcher/launch.ts";
import { writeBenchRoster } from "./roster.ts";

export interface BenchExchange {
  home: string;
  roster: Roster;
  launched: Launched;
  /** Stops what launch started (server, coordinators) and removes the folder. Never throws. */
  stop(): Promise<void>;
}

export async function startBenchExchange(n: number, opts: Omit<LaunchOptions, "home" | "roster">, onStep?: (s: string) => void): Promise<BenchExchange> {
  const home = await mkdtemp(join(tmpdir(), "atix-bench-"));
  const removeHome = () => rm(home, { recursive: true, force: true }).catch(() => undefined);
  try {
    const { file, roster } = await writeBenchRoster(home, n);
    onStep?.(`starting an exchange of ${n} agencies`);
    const launched = await launch({ ...opts, home, roster: file });
    return {
      home,
      roster,
      launched,
      async stop() {
        await launched.stop().catch(() => undefined);
        await removeHome();
      },
    };
  } catch (e) {
    await removeHome();
    throw e;
  }
}
