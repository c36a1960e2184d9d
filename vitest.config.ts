import { defineConfig } from "vitest/config";

// Three projects: `unit` needs no broker (no nats-server is started for it) and is the fast loop;
// `int` and `e2e` talk to a private nats-server started once per run (tests read its URL via
// inject("natsUrl")). `vitest run` runs all three; `--project <name>` one of them.
const broker = ["tests/setup/global-nats.ts"];

export default defineConfig({
  test: {
    // Integration tests talk to real processes (nats-server, browsers).
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    projects: [
      // Both cores, threads sharing modules: nothing here waits on a broker or on another file.
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], pool: "threads", isolate: false, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      // After the unit tests, one file at a time (vitest's default on 2 cores): they time brokers and
      // processes. One process runs them all (isolate: false): each file starts its own brokers and
      // processes, and a fresh worker per file repeated start-up and imports some thirty times.
      { extends: true, test: { name: "int", include: ["tests/integration/**/*.test.ts"], globalSetup: broker, isolate: false, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: "e2e", include: ["tests/e2e/**/*.test.ts"], globalSetup: broker, isolate: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
