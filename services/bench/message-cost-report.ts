// What `atix bench --message-cost` prints: per recipient count, the coordinator's and the broker's
// CPU per accepted message and the rate, then what each further recipient adds, and how to read
// them against the fan-out's CPU per delivery.
import { table } from "./report.ts";
import type { MessageCostResult } from "./message-cost.ts";

const count = (n: number) => n.toLocaleString("en-US");
const us = (n: number | undefined) => (n === undefined ? "—" : count(Math.round(n)));

export function formatMessageCostTable(r: MessageCostResult): string {
  const rows = [
    ["recipients", "coordinator µs", "broker µs", "accepted/s", "seconds"],
    ...r.rows.map((row) => [
      String(row.recipients), us(row.cpuMicrosPerMessage?.coordinator), us(row.cpuMicrosPerMessage?.broker), count(row.acceptedPerSecond), row.seconds.toFixed(2),
    ]),
  ];
  const lines = [
    `What accepting one message costs: bursts of ${count(r.burst)} FLASH broadcasts (after ${r.warmUp} to warm up), each on an exchange of its own with only the sender's node running; ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    "",
    "  CPU per accepted message, µs (each process's user + system time over the burst, from /proc):",
    ...table(rows, "    "),
  ];
  const p = r.perRecipient;
  if (p) lines.push("", `  each further recipient adds: coordinator ${p.coordinator.toFixed(2)} µs, broker ${p.broker.toFixed(2)} µs`);
  if (r.rows.some((row) => !row.cpuMicrosPerMessage)) lines.push("", "  (— : this machine's /proc could not be read, so no CPU figure)");
  lines.push(
    "",
    "  (per message: the submission checked and its id looked up, its record, its one delivery copy, two audit records, its signed acceptance and its seen record stored; " +
      "nobody reads the copies, so no receipts or acknowledgements follow. The fan-out bench pays this once per broadcast: divided by its recipients, it is part of every delivery's CPU there)",
  );
  return lines.join("\n");
}
