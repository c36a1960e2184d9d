// Reading the audit chain as stored, without a consumer: direct gets by stream sequence, many in
// flight at once and handed on in order (a chain of tens of thousands of records reads in
// seconds). Nothing is created or changed on the server, so the read-only observer reads this way
// (its account imports only these gets and the stream's info); so do `atix status`, `atix audit`,
// `atix watch`, `send --wait`, the dashboard, the bench and the scenario reports.
import type { StoredMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { streams, subjects } from "../contracts/subjects.ts";
import { DirectReader } from "../nats/direct.ts";

export interface ChainMessage {
  /** The stream sequence it is stored at. */
  streamSeq: number;
  /** The record as parsed JSON (not validated: verifiers judge it); the text itself when it is not JSON. */
  record: unknown;
  /** Set when the stored data is not JSON. */
  notJson?: true;
}

export interface AuditStreamState {
  /** Stream sequences of the first and last stored message (0 when empty). */
  firstSeq: number;
  lastSeq: number;
  messages: number;
  /** Whether the stream republishes what it stores (exchanges made before it do not: followers poll). */
  republishes: boolean;
}

/** Gets in flight at once while reading: enough to keep the broker busy, bounded in memory. */
const WINDOW = 512;
const decoder = new TextDecoder();

export function decodeStored(streamSeq: number, data: Uint8Array): ChainMessage {
  const text = decoder.decode(data);
  try {
    return { streamSeq, record: JSON.parse(text) };
  } catch {
    return { streamSeq, record: text, notJson: true };
  }
}

const AUDIT = streams.audit.name;

export class ChainReader {
  private constructor(private readonly direct: DirectReader) {}

  static async of(nc: NatsConnection): Promise<ChainReader> {
    return new ChainReader(await DirectReader.of(nc));
  }

  /** The stream sequence of the chain's last record (0 when there is none): where the chain ends for its readers. */
  async end(): Promise<number> {
    return (await this.direct.get(AUDIT, { last_by_subj: subjects.audit }))?.seq ?? 0;
  }

  /** The chain's message at `seq`: undefined when there is none, or it is not on the chain's subject. */
  async at(seq: number): Promise<ChainMessage | undefined> {
    const m = await this.direct.get(AUDIT, { seq });
    return m && m.subject === subjects.audit ? decodeStored(m.seq, m.data) : undefined;
  }

  async state(): Promise<AuditStreamState> {
    const { state, config } = await this.direct.streamInfo(AUDIT);
    return {
      firstSeq: state.messages ? state.first_seq : 0,
      lastSeq: state.messages ? state.last_seq : 0,
      messages: state.messages,
      republishes: config.republish?.dest === subjects.auditStored,
    };
  }

  /**
   * The chain's messages from stream sequence `fromSeq` up to `toSeq` (default: the chain's end
   * when reading began), in order. Messages stored there under another subject are not the chain's
   * and are left out, as are sequences with nothing stored.
   */
  async *read(opts: { fromSeq?: number; toSeq?: number } = {}): AsyncGenerator<ChainMessage> {
    const to = opts.toSeq ?? (await this.end());
    let next = Math.max(1, opts.fromSeq ?? 1);
    const inFlight: Promise<StoredMsg | null>[] = [];
    const fill = () => {
      while (inFlight.length < WINDOW && next <= to) {
        const get = this.direct.get(AUDIT, { seq: next++ });
        get.catch(() => undefined); // awaited in turn; a failure is thrown there
        inFlight.push(get);
      }
    };
    fill();
    while (inFlight.length) {
      const m = await inFlight.shift()!;
      fill();
      if (m && m.subject === subjects.audit) yield decodeStored(m.seq, m.data);
    }
  }
}

/** The chain as stored now, in order (records appended while reading are left out). */
export async function* readChain(nc: NatsConnection, opts: { fromSeq?: number } = {}): AsyncGenerator<ChainMessage> {
  yield* (await ChainReader.of(nc)).read(opts);
}
