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
  if (p) lines.push("", `  each further recipient adds: coordinator ${p.coordinator.toFixed(2)} µs, broker ${p.broker.toFixed(2)} µs (± ${p.resolutionMicros.toFixed(2)} µs)`);
  lines.push(`  (/proc counts CPU time in clock ticks: each figure per message is known to ± ${r.resolutionMicros.toFixed(1)} µs at this burst; a larger --burst, within the bound, narrows it)`);
  if (r.rows.some((row) => !row.cpuMicrosPerMessage)) lines.push("  (— : this machine's /proc could not be read, so no CPU figure)");
  lines.push(
    "",
    "  (per message: the submission checked and its id looked up, its record, its one delivery copy, two audit records (read back by the coordinator's view), its signed acceptance and its seen record stored; " +
      "nobody reads the copies, so no receipts or acknowledgements follow, and the deliveries stay open. A coordinator as warm as the fan-out's: " +
      "the fan-out pays this once per broadcast, so divided by its recipients it is part of every delivery's CPU there, under a load of its own)",
  );
  return lines.join("\n");
}
