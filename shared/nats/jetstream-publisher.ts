// JetStream publishes whose PubAcks come back on one subscription per connection, matched by reply
// subject. nats.js's js.publish makes each publish a request: a timer, a deferred and, once
// answered, an Error with a stack (its way of cancelling). Here a publish costs a map entry;
// deadlines are checked by one timer for all of them. The coordinator, the audit writer and the
// store's key-value puts use it; agency nodes keep js.publish (services/agency/node.ts says why).
// Answers mean what they mean to js.publish, as the same errors: a PubAck, a JetStreamApiError
// (by the server's code), no responders, a timeout, a publish permission refused.
import { JetStreamApiError, type PubAck } from "@nats-io/jetstream";
import { headers as newHeaders, type Msg, type MsgHdrs, type NatsConnection, NoRespondersError, nuid, type Subscription, TimeoutError } from "@nats-io/transport-node";

export interface JetStreamPublishOptions {
  msgID?: string;
  headers?: MsgHdrs;
  /** Wall ms to wait for the PubAck (default, and for 0 or less: 5 s); checked about every quarter second. */
  timeout?: number;
}

/** What publishes durably: a JetStreamPublisher, or nats.js's JetStreamClient. */
export interface DurablePublisher {
  publish(subject: string, data: string | Uint8Array, opts: JetStreamPublishOptions): Promise<PubAck>;
}

interface Waiting {
  subject: string;
  deadline: number;
  resolve: (ack: PubAck) => void;
  reject: (e: Error) => void;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const SWEEP_MS = 250;
const decoder = new TextDecoder();

const publishers = new WeakMap<NatsConnection, JetStreamPublisher>();

/**
 * The connection's publisher (one per connection: one subscription, one timer). Its PubAcks come
 * to the inbox prefix the connection was opened with: an identity may read only its own.
 */
export function durablePublisher(nc: NatsConnection): JetStreamPublisher {
  let p = publishers.get(nc);
  if (!p) {
    // The options are public on nats.js's connection, not on the NatsConnection interface.
    const { inboxPrefix } = (nc as NatsConnection & { options?: { inboxPrefix?: string } }).options ?? {};
    publishers.set(nc, (p = new JetStreamPublisher(nc, inboxPrefix || "_INBOX")));
  }
  return p;
}

export class JetStreamPublisher implements DurablePublisher {
  /** `<inbox prefix>.<nuid>.`: what replies are addressed to, followed by the publish's number. */
  private readonly replyBase: string;
  private sub: Subscription | undefined;
  private next = 0;
  /** Publishes awaiting their PubAck, by number; each leaves by its answer or its deadline. */
  private readonly waiting = new Map<number, Waiting>();
  private sweeper: NodeJS.Timeout | undefined;
  private watchingErrors = false;

  constructor(
    private readonly nc: NatsConnection,
    inboxPrefix: string,
  ) {
    this.replyBase = `${inboxPrefix}.${nuid.next()}.`;
  }

  /** In flight: published, not yet answered or timed out. */
  get inFlight(): number {
    return this.waiting.size;
  }

  publish(subject: string, data: string | Uint8Array, opts: JetStreamPublishOptions = {}): Promise<PubAck> {
    return new Promise<PubAck>((resolve, reject) => {
      if (this.nc.isClosed()) throw new Error("the connection is closed");
      this.listen();
      const n = ++this.next;
      const h = opts.headers ?? (opts.msgID ? newHeaders() : undefined);
      if (opts.msgID) h!.set("Nats-Msg-Id", opts.msgID);
      const timeout = opts.timeout && opts.timeout > 0 ? opts.timeout : DEFAULT_TIMEOUT_MS;
      this.waiting.set(n, { subject, deadline: Date.now() + timeout, resolve, reject });
      try {
        this.nc.publish(subject, data, { reply: this.replyBase + n, ...(h ? { headers: h } : {}) });
      } catch (e) {
        this.waiting.delete(n);
        throw e;
      }
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    });
  }

  private listen() {
    if (!this.sub || this.sub.isClosed()) {
      const sub = (this.sub = this.nc.subscribe(`${this.replyBase}*`, { callback: (err, msg) => (err ? this.failAll(err) : this.answer(msg)) }));
      // The subscription ends with the connection: whatever still waits is told (unless a new
      // subscription took over, whose publishes are not this one's to fail).
      void sub.closed.then(() => {
        if (this.sub === sub) this.failAll(new Error("the reply subscription closed before the PubAck came"));
      });
    }
    if (this.watchingErrors) return;
    this.watchingErrors = true;
    // A publish the server refuses (permissions) gets no reply, only an -ERR naming the subject.
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type !== "error") continue;
        const e = s.error as Error & { operation?: string; subject?: string };
        if (e.name === "PermissionViolationError" && e.operation === "publish") this.failSubject(e.subject, e);
      }
    })();
  }

  private answer(msg: Msg) {
    const n = Number(msg.subject.slice(this.replyBase.length));
    const w = this.waiting.get(n);
    if (!w) return; // already timed out
    this.waiting.delete(n);
    this.settled();
    if (msg.data.length === 0 && msg.headers?.code === 503) return w.reject(new NoRespondersError(w.subject));
    try {
      const r = JSON.parse(decoder.decode(msg.data)) as PubAck & { error?: ConstructorParameters<typeof JetStreamApiError>[0] };
      if (r.error) return w.reject(new JetStreamApiError(r.error));
      if (!r.stream) return w.reject(new Error(`invalid PubAck for ${w.subject}: no stream`));
      r.duplicate = r.duplicate === true;
      w.resolve(r);
    } catch (e) {
      w.reject(new Error(`invalid PubAck for ${w.subject}: ${(e as Error).message}`));
    }
  }

  private sweep() {
    const now = Date.now();
    for (const [n, w] of this.waiting) {
      if (w.deadline > now) continue;
      this.waiting.delete(n);
      w.reject(new TimeoutError());
    }
    this.settled();
  }

  private failSubject(subject: string | undefined, e: Error) {
    for (const [n, w] of this.waiting) {
      if (w.subject !== subject) continue;
      this.waiting.delete(n);
      w.reject(e);
    }
    this.settled();
  }

  private failAll(e: Error) {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    this.settled();
    for (const w of all) w.reject(e);
  }

  /** Nothing in flight: the timer stops (it keeps no process alive either way). */
  private settled() {
    if (this.waiting.size || !this.sweeper) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
