import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Starts one private nats-server per run; tests read its URL via inject("natsUrl").
    globalSetup: ["tests/setup/global-nats.ts"],
    // Integration tests talk to real processes (nats-server, later browsers).
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
