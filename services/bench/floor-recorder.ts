// The protocol floor's recorder: a process of its own in the coordinator's place, with none of the
// coordinator's logic. It reads every submission (the agencies' batched acknowledgements) through
// the consumers the exchange's layout gives the submissions stream, appends one audit record per
// submission to the audit stream — the batch copied in as it came, no parsing, validation,
// signature, hashing or tracking — and acks the submission once its record is stored. Started by
// the bench (startFloorRecorder) as a child process, so its CPU is measured apart from the broker's
// and the agencies'.
import { fork } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ConsumerMessages, jetstream, type JetStreamClient, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { streams, subjects } from "../../shared/contracts/subjects.ts";
import { COORDINATOR_USER, connectAs } from "../../shared/nats/connect.ts";

/** Submissions pulled at once from each consumer, as the coordinator's intake pulls (its concurrency, 128, twice). */
const PULL = 256;
/** Records in flight at once, as the audit writer pipelines them. */
const MAX_IN_FLIGHT = 500;
const PULL_OPTIONS = { expires: 5_000, idle_heartbeat: 1_000 };

/** Parent → recorder: where to connect, as the exchange's coordinator user. */
interface Start {
  servers: string;
  seed: string;
}
/** Recorder → parent. */
type Report = { ready: true; consumers: string[] } | { error: string };

const encoder = new TextEncoder();
const CLOSE = encoder.encode("}");

/** One audit record for one submission: a small envelope around the submission's bytes. */
function recordOf(jm: JsMsg, recordedAt: string): Uint8Array {
  // atix.submit.<ID>.<kind>: the submitter is the subject's third token (as the coordinator reads it).
  const actor = jm.subject.split(".")[2] ?? "";
  const head = encoder.encode(`{"event":"acknowledged","actor":${JSON.stringify(actor)},"submission":${jm.seq},"recordedAt":"${recordedAt}","batch":`);
  const out = new Uint8Array(head.length + jm.data.length + CLOSE.length);
  out.set(head);
  out.set(jm.data, head.length);
  out.set(CLOSE, head.length + jm.data.length);
  return out;
}

class FloorRecorder {
  private queue: JsMsg[] = [];
  private running = false;
  private readonly js: JetStreamClient;

  constructor(
    nc: NatsConnection,
    private readonly fail: (e: Error) => void,
  ) {
    this.js = jetstream(nc);
  }

  take(jm: JsMsg) {
    this.queue.push(jm);
    if (!this.running) void this.drain().catch(this.fail);
  }

  /** What arrives while records are in flight goes out together next: pipelined, acked once stored. */
  private async drain() {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_IN_FLIGHT);
        const recordedAt = new Date().toISOString();
        // The submission's stream sequence names its record: a submission handed out again is recorded once.
        await Promise.all(batch.map((jm) => this.js.publish(subjects.audit, recordOf(jm, recordedAt), { msgID: `floor-${jm.seq}`, timeout: 10_000 }).then(() => jm.ack())));
      }
    } finally {
      this.running = false;
    }
  }
}

/** Tells the bench what went wrong, then exits (once the message is out). */
function failWith(e: Error) {
  if (!process.send) process.exit(1);
  process.send({ error: e.message } satisfies Report, () => process.exit(1));
}

async function record(start: Start) {
  const nc = await connectAs({ servers: start.servers, user: COORDINATOR_USER, seed: start.seed, name: "atix-bench-floor-recorder" });
  const fail = failWith;
  const recorder = new FloorRecorder(nc, fail);
  const jsm = await jetstreamManager(nc);
  // Whatever consumers the layout gives the submissions stream (one shared, or one per agency): each is read.
  const names: string[] = [];
  for await (const c of jsm.consumers.list(streams.submissions.name)) names.push(c.name);
  if (!names.length) throw new Error(`the exchange's layout gave stream ${streams.submissions.name} no consumer to read`);
  const js = jetstream(nc);
  const pulls: ConsumerMessages[] = [];
  for (const name of names) {
    const messages = await (await js.consumers.get(streams.submissions.name, name)).consume({ max_messages: PULL, ...PULL_OPTIONS });
    pulls.push(messages);
    void (async () => {
      for await (const jm of messages) recorder.take(jm);
    })().catch(fail);
  }
  process.send?.({ ready: true, consumers: names } satisfies Report);
  const stop = () => {
    pulls.forEach((p) => p.stop());
    void nc.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  // The bench went away: so does its recorder.
  process.once("disconnect", stop);
}

export interface FloorRecorderProcess {
  pid: number;
  /** The submissions stream's consumers it reads. */
  consumers: string[];
  /** Rejects if the recorder fails or exits while running; never resolves. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

/** Starts the recorder as a child process (TypeScript through tsx, as `atix` runs) and waits until it reads. */
export function startFloorRecorder(start: Start, readyTimeoutMs = 30_000): Promise<FloorRecorderProcess> {
  const child = fork(SELF, [], { execArgv: ["--import", import.meta.resolve("tsx")], stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stopping = false;
  let lastError = "";
  const failed = new Promise<never>((_, reject) => {
    void exited.then((code) => {
      if (!stopping) reject(new Error(`the protocol floor's recorder exited (code ${code}): ${lastError || stderr.trim() || "no message"}`));
    });
  });
  failed.catch(() => undefined);
  return new Promise<FloorRecorderProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the protocol floor's recorder did not start within ${readyTimeoutMs} ms: ${stderr.trim() || "no message"}`));
    }, readyTimeoutMs);
    child.on("message", (r: Report) => {
      if ("error" in r) lastError = r.error;
      else {
        clearTimeout(timer);
        resolve({
          pid: child.pid!,
          consumers: r.consumers,
          failed,
          async stop() {
            stopping = true;
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
            const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
            await exited;
            clearTimeout(t);
          },
        });
      }
    });
    failed.catch((e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    child.send(start);
  });
}

// Run as the child: wait for where to connect, then record until told to stop.
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url && process.send) {
  process.once("message", (start: Start) => void record(start).catch(failWith));
}
