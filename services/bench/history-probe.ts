// What the history bench (history-run.ts) waits for: a promise within a time limit, and a restarted
// coordinator accepting a real signed submission, as an agency sees it (subscribed to its outcome,
// then published as `atix send` does).
import type { NatsConnection } from "@nats-io/transport-node";
import { type Message, subjects } from "../../shared/contracts/index.ts";
import { readIdentity } from "../../shared/exchange/identities.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { submit } from "../../shared/messaging/submit.ts";
import { agencyJetStream } from "../../shared/nats/connect.ts";
import { round } from "./stats.ts";

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`benchmark timed out after ${Math.round(ms / 1000)} s waiting for ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * A FLASH alert from `sender` to `recipient`, stored before `start()` is called: the times from
 * that call until it resolved and until the alert's acceptance reached the sender.
 */
export async function submitAndAwait(
  nc: NatsConnection, credentialsDir: string, sender: string, recipient: string, simNowMs: number, start: () => Promise<unknown>, timeoutMs: number,
): Promise<{ startedMs: number; acceptedMs: number }> {
  const message = compose("alert", {
    precedence: "FLASH", category: "terrorism", tlp: "AMBER", handling: "H0", evaluation: { reliability: "B", credibility: 2 },
    title: "Benchmark probe: accepted after a restart?", distribution: { agencies: [recipient] },
  }, { sender, sentAt: new Date(simNowMs).toISOString() });
  const sub = nc.subscribe(subjects.outcome(sender, message.id), { max: 1 });
  await submit(agencyJetStream(nc), (await readIdentity(credentialsDir, sender)).seed, message);
  const t0 = performance.now();
  const since = () => round(performance.now() - t0, 1);
  const started = start().then(since);
  const answered = (async () => {
    for await (const m of sub) return { outcome: m.json<Message>(), ms: since() };
    throw new Error(`no outcome for the probe ${message.id}`);
  })();
  try {
    const [startedMs, { outcome, ms }] = await withTimeout(Promise.all([started, answered]), timeoutMs, `the restarted coordinator to answer the probe ${message.id}`);
    if (outcome.kind === "rejection") throw new Error(`the probe ${message.id} was rejected: ${outcome.body.reasons.map((r) => `${r.code} ${r.path}: ${r.message}`).join("; ")}`);
    if (outcome.kind !== "acceptance") throw new Error(`the probe ${message.id} was answered with a ${outcome.kind}, expected an acceptance`);
    return { startedMs, acceptedMs: ms };
  } finally {
    sub.unsubscribe();
  }
}
