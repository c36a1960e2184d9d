// The bench's CPU accounting (services/bench/cpu.ts): per process, per delivery.
import { describe, expect, it } from "vitest";
import { cpuMeter, ownCpu, processCpu } from "../../services/bench/cpu.ts";

/** Spins until this process has used `ms` of CPU (not of wall time: on a loaded machine 60 ms of wall time may bring less than a clock tick). */
const burn = (ms: number) => {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const until = cpu() + ms;
  let x = 0;
  while (cpu() < until) for (let i = 0; i < 1000; i++) x += Math.sqrt(x + 1);
  return x;
};

describe("bench CPU accounting", () => {
  it.runIf(process.platform === "linux")("reads a process's CPU time from /proc, and nothing for a process that is not there", () => {
    const before = processCpu(process.pid)()!;
    burn(60); // several clock ticks (10 ms each on Linux)
    const after = processCpu(process.pid)()!;
    expect(after).toBeGreaterThan(before);
    expect(processCpu(2 ** 30)()).toBeUndefined();
    expect(processCpu(undefined)()).toBeUndefined();
  });

  it("divides each process's CPU over the deliveries and adds them up", () => {
    let a = 1;
    let b = 10;
    const meter = cpuMeter({ a: () => a, b: () => b });
    a += 0.5; // 0.5 s
    b += 0.25;
    expect(meter.perDelivery(1000)).toEqual({ a: 500, b: 250, total: 750 });
    burn(5);
    const own = cpuMeter({ self: ownCpu }).perDelivery(1)!;
    expect(own.self).toBeGreaterThanOrEqual(0);
  });

  it("gives no figures when a process could not be read", () => {
    expect(cpuMeter({ gone: () => undefined, here: () => 1 }).perDelivery(10)).toBeUndefined();
  });
});
