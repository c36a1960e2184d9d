// The protocol floor: what ATIX's security model costs with none of ATIX's logic. An exchange is
// started exactly as `atix up` starts one (launch: the same generated accounts and service imports,
// streams, consumers and registry) but with no coordinator and no agency nodes. In their place:
// the bench stores one broadcast per message on the broadcast subject (as the coordinator stores a
// FLASH to all), 90 agencies in this process read it through their accounts' imports and
// acknowledge in batches stored before they ack (floor-agency.ts), and a recorder process appends
// one audit record per batch (floor-recorder.ts). A delivery counts once its batch's record is
// stored (counting.ts).
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { readChain } from "../../shared/audit/chain-read.ts";
import { RECIPIENTS_HEADER, subjects } from "../../shared/contracts/subjects.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import { PAYLOAD } from "./baselines.ts";
import { nextAuditSeq, submissionsSettled, Tally } from "./counting.ts";
import { gcMeter, type GcPerDelivery } from "./gc-meter.ts";
import { cpuMeter, type CpuPerDelivery, ownCpu, processCpu } from "./cpu.ts";
import { connectBenchReader, startBenchExchange } from "./exchange.ts";
import { FloorAgency, floorRecordDeliveries, type FloorTallies } from "./floor-agency.ts";
import { type FloorRecorderProcess, startFloorRecorder } from "./floor-recorder.ts";
import { timedRounds } from "./rounds.ts";
import { type Latency, round } from "./stats.ts";

const TIMEOUT_MS = 60_000;

export interface FloorResult {
  /** Agencies reading each broadcast (all of them: the bench, not an agency, stores it). */
  agencies: number;
  /** Deliveries each agency pulls at once. */
  pull: number;
  /** The submissions stream's consumers the recorder read (the layout's). */
  recorderConsumers: string[];
  /** Broadcast stored → every agency has it, one broadcast at a time. */
  latency: Latency;
  /** Broadcast stored → every agency's acknowledgement batch stored. */
  acknowledgedLatency: Latency;
  sustained: {
    messages: number; deliveries: number; seconds: number; deliveriesPerSecond: number;
    /** Audit records the recorder wrote for the burst (one per batch). */
    records: number;
    cpuMicrosPerDelivery?: CpuPerDelivery;
    /** Garbage collection in the agencies' process (this one) over the burst. */
    gc: GcPerDelivery;
  };
}

export async function floorFanOut(n: number, rounds: number, burst: number, pull: number, onStep?: (s: string) => void): Promise<FloorResult> {
  onStep?.(`protocol floor: an exchange of ${n} agency accounts as \`atix up\` generates it, no coordinator`);
  const bench = await startBenchExchange(n, { coordinators: 0, agencies: false });
  const { launched } = bench;
  const servers = launched.exchange.natsUrl;
  const agencies: FloorAgency[] = [];
  let recorder: FloorRecorderProcess | undefined;
  let nc: NatsConnection | undefined;
  // The first failure of an agency's batch or of the recorder ends the run, named.
  let failure: ((e: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => undefined);
  const orFail = <T>(p: Promise<T>) => Promise.race([p, failed, ...(recorder ? [recorder.failed] : [])]);
  try {
    const { ids: identities } = launched.prepared;
    recorder = await startFloorRecorder({ servers, seed: identities.coordinator.seed });
    nc = await connectBenchReader(launched, "atix-bench-floor");
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const tallies: FloorTallies = { delivered: new Tally(), acknowledged: new Tally() };
    const ids = launched.registry.agencies.map((a) => a.id);
    for (const id of ids) agencies.push(await FloorAgency.start(servers, id, identities.agencies.get(id)!.seed, pull, tallies, (e) => failure!(e)));

    // One stored broadcast per message, on the broadcast subject with its recipients header, as ATIX stores a FLASH to all.
    const recipients = headers();
    recipients.set(RECIPIENTS_HEADER, ids.join(","));
    let sent = 0;
    const broadcast = () => publishDurably(js, subjects.broadcast("alert"), PAYLOAD, { msgID: `floor-${++sent}:all`, headers: recipients });

    onStep?.(`protocol floor: ${rounds} broadcasts to ${n} agencies (pulls of ${pull})`);
    const measured = await timedRounds({
      rounds, recipients: n, send: () => broadcast(), delivered: tallies.delivered, acknowledged: tallies.acknowledged,
      name: "floor", timeoutMs: TIMEOUT_MS, wrap: orFail,
    });

    onStep?.(`protocol floor: sustained burst of ${burst} broadcasts`);
    // The rounds' records are all written before the burst's clock starts.
    await orFail(submissionsSettled(jsm, "the floor's rounds recorded", TIMEOUT_MS));
    const auditFrom = await nextAuditSeq(jsm);
    const cpu = cpuMeter({ broker: processCpu(launched.server?.pid), recorder: processCpu(recorder.pid), agencies: ownCpu });
    const gc = gcMeter();
    const deliveries = n * burst;
    const t0 = performance.now();
    await orFail(Promise.all(Array.from({ length: burst }, () => broadcast())));
    await orFail(tallies.acknowledged.until(measured.deliveries + deliveries, "floor burst acknowledged (batches stored)", TIMEOUT_MS * 3));
    await orFail(submissionsSettled(jsm, "floor burst recorded", TIMEOUT_MS * 3));
    const seconds = (performance.now() - t0) / 1000;
    const perDelivery = cpu.perDelivery(deliveries);
    const gcPerDelivery = gc.perDelivery(deliveries);

    // Outside the measured window: the records written must cover every delivery of the burst.
    let records = 0;
    let recorded = 0;
    for await (const { record } of readChain(nc, { fromSeq: auditFrom })) {
      records++;
      recorded += floorRecordDeliveries(record);
    }
    if (recorded !== deliveries) throw new Error(`protocol floor: the burst's audit records cover ${recorded} deliveries, expected ${deliveries}`);
    return {
      agencies: n,
      pull,
      recorderConsumers: recorder.consumers,
      latency: measured.latency,
      acknowledgedLatency: measured.acknowledgedLatency,
      sustained: {
        messages: burst, deliveries, seconds: round(seconds), deliveriesPerSecond: Math.round(deliveries / seconds), records,
        ...(perDelivery ? { cpuMicrosPerDelivery: perDelivery } : {}),
        gc: gcPerDelivery,
      },
    };
  } finally {
    await Promise.all(agencies.map((a) => a.stop()));
    await recorder?.stop().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await bench.stop();
  }
}
