// The baselines ATIX is measured against, with none of ATIX's logic (no validation, signatures,
// audit or tracking): raw NATS core fan-out and raw JetStream durable fan-out, one connection per
// agency in this process, on a broker of their own.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { cpuMeter, type CpuPerDelivery, ownCpu, processCpu } from "./cpu.ts";
import { latencyOf, type Latency, round, waiter } from "./stats.ts";

const TIMEOUT_MS = 60_000;
/** Untimed rounds first: connections, consumers and the broker settle. */
const WARMUP = 3;
/** About the size of a small signed alert. */
export const PAYLOAD = "x".repeat(1024);

export interface CoreResult {
  latency: Latency;
}
export interface JetStreamResult {
  latency: Latency;
  sustained: { messages: number; deliveries: number; seconds: number; deliveriesPerSecond: number; cpuMicrosPerDelivery?: CpuPerDelivery };
}

async function connections(url: string, n: number, name: string): Promise<NatsConnection[]> {
  const out: NatsConnection[] = [];
  for (let i = 0; i < n; i++) out.push(await connect({ servers: url, name: `${name}-${i}`, noAsyncTraces: true }));
  return out;
}

async function closeAll(ncs: NatsConnection[]) {
  await Promise.all(ncs.map((nc) => nc.close().catch(() => undefined)));
}

/** Core fan-out: N subscribers on one subject; one publish; time until all N have it. */
export async function coreFanOut(url: string, n: number, rounds: number): Promise<CoreResult> {
  const subs = await connections(url, n, "bench-core");
  const pub = await connect({ servers: url, name: "bench-core-pub", noAsyncTraces: true });
  try {
    let current = -1;
    let got = 0;
    let w = waiter("core fan-out", TIMEOUT_MS);
    for (const nc of subs)
      nc.subscribe("bench.core", {
        callback: (_e, m) => {
          if (Number(m.string().slice(0, m.string().indexOf(":"))) !== current) return;
          if (++got === n) w.resolve();
        },
      });
    await Promise.all(subs.map((nc) => nc.flush()));
    const samples: number[] = [];
    for (let r = -WARMUP; r < rounds; r++) {
      current = r;
      got = 0;
      w = waiter(`core fan-out round ${r}`, TIMEOUT_MS);
      const t0 = performance.now();
      pub.publish("bench.core", `${r}:${PAYLOAD}`);
      await w.promise;
      if (r >= 0) samples.push(performance.now() - t0);
    }
    return { latency: latencyOf(samples) };
  } finally {
    await closeAll([...subs, pub]);
  }
}

/**
 * JetStream durable fan-out: one file-backed stream, one durable pull consumer per agency
 * (each read with consume(), explicit acks), one stored message per broadcast.
 */
export async function jetStreamFanOut(url: string, n: number, rounds: number, burst: number, brokerPid?: number): Promise<JetStreamResult> {
  const subs = await connections(url, n, "bench-js");
  const pub = await connect({ servers: url, name: "bench-js-pub", noAsyncTraces: true });
  const stopped: (() => void)[] = [];
  try {
    const jsm = await jetstreamManager(pub);
    await jsm.streams.add({ name: "BENCH", subjects: ["bench.js"], storage: StorageType.File });
    for (let i = 0; i < n; i++)
      await jsm.consumers.add("BENCH", { durable_name: `agency-${i}`, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, max_ack_pending: 20_000 });

    // Phase: "r<round>" for latency rounds, "s" for the sustained burst.
    let phase = "";
    let got = 0;
    let target = n;
    let w = waiter("JetStream fan-out", TIMEOUT_MS);
    for (let i = 0; i < n; i++) {
      const c = await jetstream(subs[i]!).consumers.get("BENCH", `agency-${i}`);
      const iter = await c.consume({ max_messages: 1000 });
      stopped.push(() => void iter.stop());
      void (async () => {
        for await (const m of iter) {
          m.ack();
          const data = m.string();
          if (data.slice(0, data.indexOf(":")) !== phase) continue;
          if (++got === target) w.resolve();
        }
      })().catch(() => undefined);
    }
    await Promise.all(subs.map((nc) => nc.flush()));
    const js = jetstream(pub);

    const samples: number[] = [];
    for (let r = -WARMUP; r < rounds; r++) {
      phase = `r${r}`;
      got = 0;
      target = n;
      w = waiter(`JetStream fan-out round ${r}`, TIMEOUT_MS);
      const t0 = performance.now();
      await js.publish("bench.js", `${phase}:${PAYLOAD}`);
      await w.promise;
      if (r >= 0) samples.push(performance.now() - t0);
    }

    // Sustained: `burst` messages as fast as possible; every consumer acks every one.
    phase = "s";
    got = 0;
    target = n * burst;
    w = waiter("JetStream sustained burst", TIMEOUT_MS * 2);
    const cpu = cpuMeter({ broker: processCpu(brokerPid), consumers: ownCpu });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: burst }, () => js.publish("bench.js", `s:${PAYLOAD}`)));
    await w.promise;
    // Acks are sent before counting; a flush makes sure the broker has processed them all.
    await Promise.all(subs.map((nc) => nc.flush()));
    const seconds = (performance.now() - t0) / 1000;
    const perDelivery = cpu.perDelivery(n * burst);
    return {
      latency: latencyOf(samples),
      sustained: {
        messages: burst, deliveries: n * burst, seconds: round(seconds), deliveriesPerSecond: Math.round((n * burst) / seconds),
        ...(perDelivery ? { cpuMicrosPerDelivery: perDelivery } : {}),
      },
    };
  } finally {
    stopped.forEach((s) => s());
    await closeAll([...subs, pub]);
  }
}
