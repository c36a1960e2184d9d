// The connection file for one agency (`atix onboard`), built from what the exchange is: its
// servers, the subjects and consumers that agency's account allows, and the registry's public
// keys. Read back by ATIX's own node (`atix agency --key --connection`).
import { readFile } from "node:fs/promises";
import type { ClockState } from "../clock.ts";
import {
  AGENCY_JS_API, ConnectionFile, consumers, jsApi, kvStream, buckets, PRESENCE_INTERVAL_MS, REGISTRY_SUBJECT, streams, subjects,
} from "../contracts/index.ts";
import { formatProblem, toProblems } from "../contracts/problems.ts";
import type { RegistryData } from "./registry.ts";

export function connectionFileFor(registry: RegistryData, agency: string, servers: string[], clock: ClockState, now = new Date()): ConnectionFile {
  const entry = registry.agencies.find((a) => a.id === agency);
  if (!entry) throw new Error(`--agency ${agency}: not an agency of this exchange (${registry.name})`);
  return {
    version: 1,
    exchange: registry.name,
    agency,
    servers,
    inboxPrefix: subjects.inboxPrefix(agency),
    jetStreamApiPrefix: AGENCY_JS_API,
    stream: streams.deliveries.name,
    consumers: {
      own: { name: consumers.agency(agency), filterSubject: subjects.deliverOf(agency) },
      broadcast: { name: consumers.broadcast(agency), filterSubject: subjects.broadcastAll },
    },
    publish: { submit: subjects.submit(agency, "<kind>" as never), presence: subjects.presence(agency) },
    subscribe: { outcomes: subjects.outcome(agency, "<messageId>"), clock: subjects.clock, auditHead: subjects.auditHead, registry: REGISTRY_SUBJECT },
    registryGet: jsApi.directGet(kvStream(buckets.config), AGENCY_JS_API, REGISTRY_SUBJECT),
    presenceIntervalMs: PRESENCE_INTERVAL_MS,
    clock,
    publicKey: entry.publicKey,
    publicKeys: {
      agencies: registry.agencies.map((a) => ({ id: a.id, publicKey: a.publicKey, ...(a.keys ? { keys: a.keys } : {}) })),
      coordinators: registry.coordinators,
    },
    writtenAt: now.toISOString(),
  };
}

/** A connection file, checked against its contract; a mistake names the field. */
export async function readConnectionFile(file: string): Promise<ConnectionFile> {
  const text = await readFile(file, "utf8").catch(() => {
    throw new Error(`--connection ${file}: no such file (the exchange's operator writes it with \`atix onboard --agency ID --out FILE\`)`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`--connection ${file}: not JSON`);
  }
  const r = ConnectionFile.safeParse(json);
  if (!r.success) throw new Error(`--connection ${file}: ${toProblems(r.error, json).slice(0, 3).map(formatProblem).join("; ")}`);
  return r.data;
}
