// The memory sampler against a real child process: it sees the child's resident set grow, and
// keeps the peak after the child has died (when /proc no longer has it).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { MemorySampler, readProcessMemory } from "../../simulations/runner/memory.ts";

const linux = process.platform === "linux";

/** A child that holds `mb` MiB of touched memory once it says "ready", and exits on "exit". */
function hog(mb: number) {
  const child = spawn(process.execPath, ["-e", `
    const held = Buffer.alloc(${mb} * 1024 * 1024, 1);
    process.stdout.write("ready\\n");
    process.stdin.on("data", () => process.exit(held.length > 0 ? 0 : 1));
  `], { stdio: ["pipe", "pipe", "inherit"] });
  const ready = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  return { child, ready, exit: async () => { child.stdin.write("exit\n"); await once(child, "exit"); } };
}

describe.skipIf(!linux)("memory sampler", () => {
  it("records a child's peak resident memory and keeps it after the child exits", async () => {
    const h = hog(96);
    const pid = h.child.pid!;
    const sampler = new MemorySampler({ groups: { coordinator: () => [pid], agencies: () => [process.pid] }, intervalMs: 50 });
    sampler.start();
    try {
      await h.ready;
      const live = readProcessMemory(pid)!;
      expect(live.rssKb / 1024).toBeGreaterThan(90);
      expect(live.hwmKb).toBeGreaterThanOrEqual(live.rssKb);
      // Until the sampler has seen the child's memory (it samples every 50 ms).
      await vi.waitFor(() => expect(sampler.result().coordinator!.peakRssMb!).toBeGreaterThan(96), { timeout: 5_000, interval: 10 });
      await h.exit();
      expect(readProcessMemory(pid)).toBeUndefined();
      const peaks = sampler.result();
      expect(peaks.coordinator!.peakRssMb!).toBeGreaterThan(96);
      expect(peaks.coordinator!.peakRssMb!).toBeLessThan(96 + 200);
      expect(peaks.coordinator!.processes).toBe(1);
      // Our own process is measured too, and more than the buffer-free baseline of a Node process.
      expect(peaks.agencies!.peakRssMb!).toBeGreaterThan(20);
    } finally {
      sampler.stop();
      if (h.child.exitCode === null) h.child.kill("SIGKILL");
    }
  });

  it("reports null for a group it never managed to read", () => {
    const sampler = new MemorySampler({ groups: { broker: () => [undefined, 2 ** 22 + 12345] } });
    expect(sampler.result()).toEqual({ broker: { peakRssMb: null, processes: 0 } });
  });
});
