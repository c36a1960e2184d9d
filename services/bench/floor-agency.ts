// One agency of the protocol floor: its own identity and account, reading its broadcast consumer
// through the service imports `atix up` generates for it (the consumer's INFO and NEXT under the
// agencies' API prefix, acks by their own subject), and acknowledging what it reads in batches —
// 20 ms or 100 deliveries, one message per batch, a JetStream publish on its own submit subject —
// acking the deliveries only once the batch is stored. None of ATIX's logic: nothing is parsed,
// verified or tracked, and a batch names its deliveries by stream sequence.
import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { consumers, streams, subjects } from "../../shared/contracts/subjects.ts";
import { publishDurably } from "../../shared/messaging/publish.ts";
import { agencyJetStream, connectAs } from "../../shared/nats/connect.ts";
import { deliveryPull } from "../agency/delivery-loop.ts";
import type { Tally } from "./counting.ts";

/** A batch goes out this long after its first delivery, or at once when it is full (the floor). */
export const FLOOR_LINGER_MS = 20;
export const FLOOR_BATCH_MAX = 100;

export interface FloorTallies {
  /** Deliveries read (a redelivery not counted again). */
  delivered: Tally;
  /** Deliveries whose batch is stored in the submissions stream (and which are acked). */
  acknowledged: Tally;
}

export class FloorAgency {
  private batch: JsMsg[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The highest stream sequence read: the consumer hands deliveries out in order, so anything at or below it is a redelivery. */
  private lastSeq = 0;
  private batches = 0;
  private readonly subject: string;

  private constructor(
    readonly id: string,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly messages: ConsumerMessages,
    private readonly tallies: FloorTallies,
    private readonly fail: (e: Error) => void,
  ) {
    this.subject = subjects.submit(id, "acknowledgement");
  }

  /**
   * Connects as agency `id` and starts reading with pulls of `pull` deliveries. A pull larger than
   * the consumer's max_ack_pending (the layout's) is refused: the broker would never fill it.
   */
  static async start(servers: string, id: string, seed: string, pull: number, tallies: FloorTallies, fail: (e: Error) => void): Promise<FloorAgency> {
    const nc = await connectAs({ servers, user: id, seed, name: `atix-bench-floor-${id}` });
    try {
      const js = agencyJetStream(nc);
      const consumer = await js.consumers.get(streams.deliveries.name, consumers.broadcast(id));
      const most = (await consumer.info(true)).config.max_ack_pending ?? 0;
      if (most > 0 && pull > most) throw new Error(`--floor-pull: expected at most ${most} (the agencies' consumers' max_ack_pending), got ${pull}`);
      const messages = await consumer.consume(deliveryPull(pull));
      const agency = new FloorAgency(id, nc, js, messages, tallies, fail);
      void agency.read().catch(fail);
      return agency;
    } catch (e) {
      await nc.close().catch(() => undefined);
      throw e;
    }
  }

  private async read() {
    for await (const m of this.messages) this.take(m);
  }

  private take(m: JsMsg) {
    if (m.seq <= this.lastSeq) {
      // Handed out again (its ack wait ran out while its batch was being stored): it is in a batch already.
      m.ack();
      return;
    }
    this.lastSeq = m.seq;
    this.tallies.delivered.add();
    this.batch.push(m);
    if (this.batch.length >= FLOOR_BATCH_MAX) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLOOR_LINGER_MS);
  }

  private flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    if (!batch.length) return;
    this.batch = [];
    let data = `{"agency":"${this.id}","at":${Date.now()},"acks":[`;
    for (let i = 0; i < batch.length; i++) data += i ? `,${batch[i]!.seq}` : String(batch[i]!.seq);
    data += "]}";
    publishDurably(this.js, this.subject, data, { msgID: `floor-${this.id}-${++this.batches}` }).then(
      () => {
        for (const m of batch) m.ack();
        this.tallies.acknowledged.add(batch.length);
      },
      (e: Error) => this.fail(new Error(`protocol floor: agency ${this.id}'s acknowledgement batch was not stored: ${e.message}`)),
    );
  }

  async stop() {
    clearTimeout(this.timer);
    this.messages.stop();
    await this.nc.close().catch(() => undefined);
  }
}

/** Acknowledged deliveries a floor audit record stands for (the batch it copied in), for the check after the clock stops. */
export function floorRecordDeliveries(record: unknown): number {
  const acks = (record as { batch?: { acks?: unknown } } | null)?.batch?.acks;
  return Array.isArray(acks) ? acks.length : 0;
}
