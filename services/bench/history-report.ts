// What `atix bench --history` prints: one row per chain length (building it, the first start, the
// restart, `atix status`), then the largest length against the smallest: issue 19's targets (a
// restart and `atix status` within 1.5x) beside what reading the whole chain costs, for contrast.
import { HISTORY_TARGET_RATIO, type HistoryBenchResult, type HistorySizeResult } from "./history-run.ts";
import { table } from "./report.ts";

const count = (n: number) => n.toLocaleString("en-US");
const s = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const x = (r: number) => `${r.toFixed(2)}x`;

function restored(c: HistorySizeResult["checkpoint"]): string {
  const r = c.restored;
  if (!r) return "—";
  if (r.from === "checkpoint") return `${count(r.seq)} + ${count(r.tailRecords ?? 0)}`;
  return r.refused ? `whole chain (refused: ${r.refused})` : "whole chain";
}

function counted(c: HistorySizeResult["status"]["counted"]): string {
  const after = `${count(c.recordsAfter)} records`;
  if (c.checkpoint) return `from the checkpoint of record ${count(c.checkpoint.seq)} and ${after} after it`;
  return `from the whole chain (${after})${"refused" in c && c.refused ? `, its checkpoint refused: ${c.refused}` : ""}`;
}

export function formatHistoryTable(r: HistoryBenchResult): string {
  const rows = [
    ["records", "build s", "records/s", "first start s", "checkpoint s", "restart s", "takes submissions s", "status s", "status full read s", "restored: seq + tail"],
    ...r.sizes.map((z) => [
      count(z.records), s(z.build.seconds * 1000), count(z.build.recordsPerSecond), s(z.firstStartMs),
      z.checkpoint.writtenMs === undefined ? "—" : s(z.checkpoint.writtenMs), s(z.restartMs), s(z.takesSubmissionsMs),
      s(z.status.ms), s(z.statusFullRead.ms), restored(z.checkpoint),
    ]),
  ];
  const lines = [
    `Audit chain history: ${r.agencies} agencies; a tail of ${count(r.tail)} records before each restart; ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    "",
    ...table(rows),
    "",
    ...r.sizes.map((z) =>
      `  ${count(z.records)}: ${Object.entries(z.build.events).map(([e, n]) => `${count(n)} ${e}`).join(", ")}; ` +
      `${count(z.build.openDeliveries)} deliveries open at its end, ${z.build.simulatedDays} simulated days; ` +
      `status: ${count(z.status.auditRecords)} records, counted ${counted(z.status.counted)}: ${count(z.status.deliveries)} deliveries (${count(z.status.awaiting)} awaiting), ` +
      `the full read ${count(z.statusFullRead.deliveries)} (${count(z.statusFullRead.awaiting)})`,
    ),
  ];
  const q = r.ratios;
  if (q) {
    const verdict = (v: number) => (v <= HISTORY_TARGET_RATIO ? "met" : "NOT MET");
    lines.push(
      "",
      `  ${count(q.of[0])} records against ${count(q.of[1])} (issue 19: a restarted coordinator and \`atix status\` within ${HISTORY_TARGET_RATIO}x):`,
      ...table([
        ["restart (start resolved):", x(q.restart), verdict(q.restart)],
        ["takes submissions (a submission accepted):", x(q.takesSubmissions), verdict(q.takesSubmissions)],
        ["atix status:", x(q.status), verdict(q.status)],
        ["for contrast, a first start (reads the whole chain):", x(q.firstStart), ""],
        ["for contrast, status by reading the whole chain:", x(q.statusFullRead), ""],
      ], "    "),
    );
  }
  lines.push(
    "",
    `  (each length on an exchange of its own, its clock standing still at the history's end so nothing escalates while measuring; ` +
      `the first coordinator's start and, once it has written it, its checkpoint; then the tail, and a second coordinator started with a FLASH alert waiting for it. Run took ${r.seconds.toFixed(1)} s)`,
  );
  return lines.join("\n");
}
