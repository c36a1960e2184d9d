// Replica counts are chosen once, when the layout is first created: ensureLayout would quietly
// rescale an existing stream to whatever its caller asks, so callers that take a count from a
// person check it against what exists first and refuse a mismatch.
import type { JetStreamManager } from "@nats-io/jetstream";
import { buckets, streams } from "../contracts/subjects.ts";
import { isStreamNotFound } from "./errors.ts";

/** Every JetStream stream of the layout: the exchange's streams and those behind its KV buckets. */
export const layoutStreamNames = () => [...Object.values(streams).map((s) => s.name), ...Object.values(buckets).map((b) => `KV_${b}`)];

export class ReplicaMismatch extends Error {
  constructor(
    readonly stream: string,
    readonly has: number,
    readonly asked: number,
  ) {
    super(`stream ${stream} exists with ${has} replica${has === 1 ? "" : "s"}, not the ${asked} asked for; the replica count is set when the streams are first created`);
  }
}

/** Throws ReplicaMismatch for the first stream whose replica count is not `replicas`; missing streams pass. */
export async function checkReplicas(jsm: JetStreamManager, replicas: number): Promise<void> {
  for (const name of layoutStreamNames()) {
    const info = await jsm.streams.info(name).catch((e: Error) => {
      if (isStreamNotFound(e)) return undefined;
      throw e;
    });
    const has = info?.config.num_replicas ?? replicas;
    if (has !== replicas) throw new ReplicaMismatch(name, has, replicas);
  }
}
