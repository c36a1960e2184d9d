// Whether the newest checkpoint says what the audit chain says: an auditor's check, run by
// `atix audit verify` on the live exchange. Coordinators and `atix status` use a checkpoint signed
// by a coordinator key without rebuilding it (that is the point of it), so a checkpoint that a
// registered key signed but the chain does not support (a bug, or a key misused) is found here:
// the chain is read whole, the view rebuilt as of the checkpoint's position (with the records its
// writer had applied ahead of it), and the two compared.
import type { NatsConnection } from "@nats-io/transport-node";
import { ChainReader } from "../audit/chain-read.ts";
import { StoredAuditRecord } from "../contracts/audit.ts";
import type { TrackingSnapshot } from "./checkpoint-contract.ts";
import { type CoordinatorKeys, readCheckpoint } from "./checkpoints.ts";
import { TrackingView } from "./tracking-view.ts";

/**
 * How the rebuilt view forgets: like a coordinator's (every open delivery kept), but keeping more
 * settled ones than a coordinator does, so every delivery a checkpoint holds can be compared.
 */
const PRUNE_EVERY = 20_000;
const SETTLED_KEPT = 50_000;

/** The first way a snapshot differs from the view rebuilt from the chain, or undefined when they agree. */
export function checkpointDifference(s: TrackingSnapshot, chain: TrackingView): string | undefined {
  const held = new Set<string>();
  for (const g of s.deliveries)
    for (const r of g.to) {
      const t = chain.get(g.messageId, r.recipient);
      held.add(`${g.messageId} ${r.recipient}`);
      if (!t) {
        // A settled delivery the rebuilt view forgot (as a coordinator's does) cannot be compared further.
        if ((r.state === "acknowledged" || r.state === "closed") && chain.wasPruned(g.messageId, Date.parse(g.deliveredAt))) continue;
        return `it holds a delivery of ${g.messageId} to ${r.recipient} that the chain does not record`;
      }
      if (t.state !== r.state || t.ackId !== r.ackId || t.receiptId !== r.receiptId || t.deadline !== g.deadline || t.precedence !== g.precedence)
        return `its delivery of ${g.messageId} to ${r.recipient} is ${r.state} (deadline ${g.deadline}) where the chain says ${t.state} (deadline ${t.deadline})`;
    }
  for (const t of chain.open()) if (!held.has(`${t.messageId} ${t.recipient}`)) return `the chain's open delivery of ${t.messageId} to ${t.recipient} is missing from it`;
  const counts = JSON.stringify(s.counts);
  if (counts !== JSON.stringify(chain.counts)) return `its counters ${counts} differ from the chain's ${JSON.stringify(chain.counts)}`;
  const batches = (x: TrackingSnapshot["escalationBatches"]) => JSON.stringify([...x].sort((a, b) => `${a.step} ${a.agency}`.localeCompare(`${b.step} ${b.agency}`)));
  if (batches(s.escalationBatches) !== batches(chain.escalationBatchList())) return "its escalation batches differ from the chain's";
  for (const [id] of s.known) if (!chain.ofMessage(id).length && !chain.wasPruned(id, Number.NEGATIVE_INFINITY)) return `it remembers deliveries of ${id}, which the chain does not record`;
  return undefined;
}

export type CheckpointVerdict =
  | { checkpoint: "none" }
  | { checkpoint: "refused"; reason: string }
  | { checkpoint: "agrees"; seq: number; writtenBy: string }
  | { checkpoint: "differs"; seq: number; writtenBy: string; difference: string };

/** Reads the newest checkpoint and the whole chain, and compares them (see the header). */
export async function verifyNewestCheckpoint(nc: NatsConnection, keys: CoordinatorKeys): Promise<CheckpointVerdict> {
  const chain = await ChainReader.of(nc);
  const read = await readCheckpoint(nc, chain, keys);
  if (read.found === "none") return { checkpoint: "none" };
  if (read.found === "refused") return { checkpoint: "refused", reason: read.reason };
  const { manifest, snapshot } = read.checkpoint;
  const ahead = new Set(snapshot.ahead);
  const view = new TrackingView({ forgetting: true });
  let n = 0;
  for await (const { streamSeq, record } of chain.read()) {
    const r = StoredAuditRecord.safeParse(record);
    if (!r.success) continue;
    // After its position, only what its writer had applied ahead of it.
    if (streamSeq > manifest.position.streamSeq && !(ahead.has(r.data.eventId) && r.data.signature?.key === manifest.signature.key)) continue;
    view.apply(r.data);
    if (++n % PRUNE_EVERY === 0) view.prune(Number.NEGATIVE_INFINITY, SETTLED_KEPT);
  }
  const where = { seq: manifest.position.seq, writtenBy: manifest.instance };
  const difference = checkpointDifference(snapshot, view);
  return difference ? { checkpoint: "differs", ...where, difference } : { checkpoint: "agrees", ...where };
}

/** One line for `atix audit verify`. */
export function checkpointLine(v: CheckpointVerdict): string {
  switch (v.checkpoint) {
    case "none":
      return "no checkpoint yet";
    case "refused":
      return `newest checkpoint refused (coordinators and status read the whole chain instead): ${v.reason}`;
    case "agrees":
      return `newest checkpoint (record ${v.seq}, by ${v.writtenBy}) agrees with the chain`;
    case "differs":
      return `newest checkpoint (record ${v.seq}, by ${v.writtenBy}) DIFFERS from the chain: ${v.difference}`;
  }
}
