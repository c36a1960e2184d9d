// The auditor's and the facilitator's commands against a real exchange: audit export and verify
// (intact, and copies with a record removed, edited, re-signed, moved or cut short, and against a
// kept head), audit head, status, and watch.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordHash } from "../../shared/audit/chain.ts";
import { type AlertMessage, AuditHead, type AuditRecord, type Message, sign, subjects } from "../../shared/contracts/index.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { submit } from "../../shared/messaging/submit.ts";
import { verifyFile } from "../../services/cli/commands/audit.ts";
import { publishPresence } from "../../services/agency/presence.ts";
import { formatEvent, formatRecord } from "../../services/cli/commands/watch.ts";
import { outcomeOf, startTestExchange, submitAndWait, testAlertBody, type TestExchange } from "../support/exchange.ts";
import { ATIX_BIN, runAtix } from "../support/run-cli.ts";
import { auditRecords, eventually } from "../support/streams-read.ts";

let ex: TestExchange;
let dir: string;
let alert: AlertMessage;
let forged: AlertMessage;
let trusted: Set<string>;
// No exchange file here: the commands connect to --nats without credentials (the server has no auth).
const env = () => ({ ATIX_HOME: dir, ATIX_LOG_PRETTY: "0", NO_COLOR: "1" });
/** Against the test exchange. */
const atix = (...args: string[]) => runAtix([...args, "--nats", ex.url], { env: env() });
/** Without the exchange: checking a file against the registry the test wrote beside it. */
const atixOffline = (...args: string[]) => runAtix([...args, "--registry", join(dir, "registry.json")], { env: env() });


const sendAndWait = (from: string, m: Message, seed?: string) => submitAndWait(ex, from, m, seed);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "atix-audit-"));
  ex = await startTestExchange({ speed: 60 });
  await ex.startCoordinator("c1");
  // Traffic: an alert to all, a receipt and an acknowledgement from KZ, a forged alert.
  alert = compose("alert", testAlertBody({ precedence: "PRIORITY" }), { sender: "AZ", sentAt: ex.clock.iso() });
  expect((await sendAndWait("AZ", alert)).kind).toBe("acceptance");
  const kz = await ex.connectAgency("KZ");
  const kzSeed = ex.ids.agencies.get("KZ")!.seed;
  await submit(kz.js, kzSeed, compose("receipt", { messageId: alert.id, receivedAt: ex.clock.iso() }, { sender: "KZ", sentAt: ex.clock.iso() }));
  await submit(kz.js, kzSeed, compose("acknowledgement", { messageId: alert.id, officer: "KZ-DO-1", action: "acting" }, { sender: "KZ", sentAt: ex.clock.iso() }));
  forged = sign(compose("alert", testAlertBody({ precedence: "PRIORITY" }), { sender: "KZ", sentAt: ex.clock.iso() }), ex.ids.agencies.get("AZ")!.seed);
  const rejected = outcomeOf(kz.nc, "KZ", forged.id);
  await kz.js.publish(subjects.submit("KZ", "alert"), JSON.stringify(forged), { msgID: forged.id });
  expect((await rejected).kind).toBe("rejection");
  await eventually(async () => {
    const events = (await auditRecords(ex.admin)).map((r) => r.event);
    return events.includes("acknowledged") && events.includes("rejected") ? true : undefined;
  }, 10_000, "the acknowledgement and the rejection in the audit chain");
  // The registry an auditor is handed: the coordinators' public keys (c1 registered its own at start).
  await writeFile(join(dir, "registry.json"), JSON.stringify(await ex.registryNow()));
  trusted = await ex.trusted();
});
afterAll(async () => {
  await ex?.stop();
  await rm(dir, { recursive: true, force: true });
});

const exportFile = () => join(dir, "audit.jsonl");
const lines = async () => (await readFile(exportFile(), "utf8")).trimEnd().split("\n");
/** Writes a damaged copy of the export. */
async function copy(name: string, change: (lines: string[]) => string[]) {
  const file = join(dir, name);
  await writeFile(file, `${change(await lines()).join("\n")}\n`);
  return file;
}
const editRecord = (line: string, edit: (r: AuditRecord) => void) => {
  const r = JSON.parse(line) as AuditRecord;
  edit(r);
  return JSON.stringify(r);
};
/** Every record from line `from` on with its prevHash and hash recomputed: the rewrite an attacker without the keys can do. */
const rehash = (ls: string[], from: number) => {
  let prev = from > 0 ? (JSON.parse(ls[from - 1]!) as AuditRecord).hash : "0".repeat(64);
  return ls.map((l, i) => {
    if (i < from) return l;
    const r = JSON.parse(l) as AuditRecord;
    r.prevHash = prev;
    r.hash = prev = recordHash(r);
    return JSON.stringify(r);
  });
};

describe("atix audit", () => {
  it("exports the chain one record per line and verifies what it wrote", async () => {
    const r = await atix("audit", "export", "--out", exportFile());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const m = /^exported (\d+) records to .*audit\.jsonl \(chain verified up to record (\d+), head ([0-9a-f]{64})\)\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    const written = (await lines()).map((l) => JSON.parse(l) as AuditRecord);
    expect(written).toHaveLength(Number(m![1]));
    expect(written.map((w) => w.seq)).toEqual(written.map((_, i) => i + 1));
    expect(written.at(-1)!.hash).toBe(m![3]);
    expect(written.some((w) => w.event === "rejected" && w.messageId === forged.id)).toBe(true);
    expect((await auditRecords(ex.admin)).slice(0, written.length)).toEqual(written);
  });

  it("verifies the live chain and the export", async () => {
    const live = await atix("audit", "verify");
    expect(live.code).toBe(0);
    // Then the newest checkpoint against the chain (none on so short a chain).
    expect(live.stdout).toMatch(/^audit chain verified: \d+ records, head [0-9a-f]{64}\nno checkpoint yet\n$/);
    const file = await atixOffline("audit", "verify", exportFile(), "--json");
    expect(file.code).toBe(0);
    expect(JSON.parse(file.stdout)).toMatchObject({ ok: true, records: (await lines()).length });
  });

  it("names the record that was removed", async () => {
    const file = await copy("removed.jsonl", (ls) => ls.filter((_, i) => i !== 2));
    const r = await atixOffline("audit", "verify", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^audit chain broken at record 3 \(line 3\): expected record 3 but found record 4: records removed or reordered\n$/);
    expect(await verifyFile(file, trusted)).toMatchObject({ ok: false, records: 2, at: 3, line: 3 });
  });

  it("names a record that was edited: its time, or a recipient", async () => {
    const at = await verifyFile(await copy("edited-at.jsonl", (ls) => ls.map((l, i) => (i === 3 ? editRecord(l, (r) => (r.at = "2026-09-21T09:00:00.000Z")) : l))), trusted);
    expect(at).toMatchObject({ ok: false, at: 4, line: 4, records: 3 });
    expect(at.ok || at.reason).toMatch(/record 4 was edited/);
    const all = await lines();
    const submitted = all.findIndex((l) => (JSON.parse(l) as AuditRecord).event === "submitted");
    const recipient = await verifyFile(
      await copy("edited-recipient.jsonl", (ls) => ls.map((l, i) => (i === submitted ? editRecord(l, (r) => r.event === "submitted" && (r.data.recipients[0] = "TR")) : l))),
      trusted,
    );
    expect(recipient).toMatchObject({ ok: false, at: submitted + 1, line: submitted + 1 });
  });

  it("names the first record whose signature does not match when an edit came with every later hash recomputed", async () => {
    const all = await lines();
    const rejected = all.findIndex((l) => (JSON.parse(l) as AuditRecord).event === "rejected");
    // The rejection moved from KZ to TR, and the chain after it made to fit again.
    const file = await copy("rewritten.jsonl", (ls) => rehash(ls.map((l, i) => (i === rejected ? editRecord(l, (r) => (r.actor = "TR")) : l)), rejected));
    const r = await atixOffline("audit", "verify", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`audit chain broken at record ${rejected + 1} (line ${rejected + 1}): record ${rejected + 1}'s signature does not match its hash: the record was changed after its coordinator signed it\n`);
    // Without a registry to check signatures against, nothing is claimed.
    const bare = await runAtix(["audit", "verify", file], { env: env() });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/no registry to check the records' signatures against: pass --registry FILE/);
  });

  it("refuses an export written before records were signed, saying so", async () => {
    const file = await copy("unsigned.jsonl", (ls) => ls.map((l) => editRecord(l, (r) => delete (r as { signature?: unknown }).signature)));
    const r = await atixOffline("audit", "verify", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^audit chain broken at record 1 \(line 1\): record 1 has no signature: it was written before ATIX signed its audit records/);
  });

  it("prints the live chain's signed head; an export cut short, or disagreeing with it, fails against it", async () => {
    const h = await atix("audit", "head", "--json");
    expect(h.code, h.stderr).toBe(0);
    const head = AuditHead.parse(JSON.parse(h.stdout));
    expect(head).toMatchObject({ signer: "c1", signature: { alg: "ed25519" } });
    expect(trusted.has(head.signature.key)).toBe(true);
    const text = await atix("audit", "head");
    expect(text.stdout).toContain(`record     ${head.seq}\nhash       ${head.hash}`);
    expect(text.stdout).toMatch(/signer {5}c1\nkey {8}U[A-Z2-7]{55}\nsignature {2}[A-Za-z0-9_-]{86}\n$/);
    const headFile = join(dir, "head.json");
    await writeFile(headFile, h.stdout);

    // A fresh export reaches the head and agrees with it; the live chain too.
    const full = join(dir, "full.jsonl");
    expect((await atix("audit", "export", "--out", full)).code).toBe(0);
    const ok = await atixOffline("audit", "verify", full, "--head", headFile);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`reaches the signed head \\(record ${head.seq}\\) and agrees with it`));
    expect((await atix("audit", "verify", "--head", headFile)).code).toBe(0);

    // Its last records dropped: every record it has verifies, but it does not reach the head.
    const fullLines = (await readFile(full, "utf8")).trimEnd().split("\n");
    const cut = join(dir, "cut.jsonl");
    await writeFile(cut, `${fullLines.slice(0, head.seq - 2).join("\n")}\n`);
    expect((await atixOffline("audit", "verify", cut)).code).toBe(0);
    const short = await atixOffline("audit", "verify", cut, "--head", headFile);
    expect(short.code).toBe(1);
    expect(short.stdout).toBe(`audit chain broken at record ${head.seq - 1}: the chain ends at record ${head.seq - 2}, before the head's record ${head.seq}: 2 records are missing from its end (cut short)\n`);

    // A head that is not the chain's: its hash differs at its record.
    const other = join(dir, "other-head.json");
    const last = JSON.parse(fullLines[head.seq - 2]!) as AuditRecord;
    await writeFile(other, JSON.stringify({ ...head, seq: head.seq - 1, hash: head.hash, at: last.at }));
    const disagree = await atixOffline("audit", "verify", full, "--head", other);
    expect(disagree.code).toBe(1);
    expect(disagree.stdout).toMatch(new RegExp(`record ${head.seq - 1} disagrees with the head: its hash is ${last.hash}, the head's ${head.hash}`));
    // A head whose signature is not a coordinator's is refused outright.
    await writeFile(other, JSON.stringify({ ...head, hash: "f".repeat(64) }));
    const bad = await atixOffline("audit", "verify", full, "--head", other);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--head .*: the head's signature does not match its hash/);
  });

  it("every coordinator publishes the head it has read on atix.audit.head, signed", async () => {
    const { nc } = await ex.connectAgency("KG");
    const sub = nc.subscribe(subjects.auditHead, { max: 1, timeout: 5_000 });
    let head: AuditHead | undefined;
    for await (const m of sub) head = AuditHead.parse(m.json());
    expect(trusted.has(head!.signature.key)).toBe(true);
    expect(head!.seq).toBeGreaterThan(3);
  });

  it("names records that were swapped", async () => {
    // The chain here is short (one "delivered" record for the alert's five deliveries): swap records 3 and 4.
    const v = await verifyFile(await copy("swapped.jsonl", (ls) => [...ls.slice(0, 2), ls[3]!, ls[2]!, ...ls.slice(4)]), trusted);
    expect(v).toMatchObject({ ok: false, at: 3, line: 3 });
    expect(v.ok || v.reason).toMatch(/record 3 comes later, at line 4 \(records reordered\)/);
  });

  it("reports a line that is not JSON by its number, and accepts a blank last line", async () => {
    const bad = await verifyFile(await copy("garbled.jsonl", (ls) => ls.map((l, i) => (i === 1 ? l.slice(0, 40) : l))), trusted);
    expect(bad).toMatchObject({ ok: false, at: 2, line: 2 });
    expect(bad.ok || bad.reason).toMatch(/^line 2 is not JSON/);
    const blankEnd = await verifyFile(await copy("blank-end.jsonl", (ls) => [...ls, "", ""]), trusted);
    expect(blankEnd).toMatchObject({ ok: true, records: (await lines()).length });
    const blankInside = await verifyFile(await copy("blank-inside.jsonl", (ls) => [ls[0]!, "", ...ls.slice(1)]), trusted);
    expect(blankInside).toMatchObject({ ok: false, at: 2, line: 2 });
  });

  it("refuses a record naming a key twice, which readers would read differently", async () => {
    // JSON.parse keeps the last "actor", a reader keeping the first would see RU: hash and signature still hold.
    const doubled = await verifyFile(await copy("doubled.jsonl", (ls) => ls.map((l, i) => (i === 1 ? l.replace('"actor":', '"actor":"RU","actor":') : l))), trusted);
    expect(doubled).toMatchObject({ ok: false, at: 2, line: 2 });
    expect(doubled.ok || doubled.reason).toMatch(/^line 2 names actor twice: readers disagree/);
  });

  it("verifies the file's bytes as they are: CRLF lines pass; a byte-order mark, other white space or invalid UTF-8 is named by its line", async () => {
    expect(await verifyFile(await copy("crlf.jsonl", (ls) => ls.map((l) => `${l}\r`)), trusted)).toMatchObject({ ok: true, records: (await lines()).length });
    const bom = await verifyFile(await copy("bom.jsonl", (ls) => [`\ufeff${ls[0]}`, ...ls.slice(1)]), trusted);
    expect(bom).toMatchObject({ ok: false, at: 1, line: 1 });
    expect(bom.ok || bom.reason).toMatch(/^line 1 is not JSON/);
    const nbsp = await verifyFile(await copy("nbsp.jsonl", (ls) => ls.map((l, i) => (i === 2 ? `${l}\u00a0` : l))), trusted);
    expect(nbsp).toMatchObject({ ok: false, at: 3, line: 3 });
    // A byte that is no UTF-8 where the record has an "a": a lenient reader would read U+FFFD, the
    // record's hash would fail; one where it has U+FFFD would have passed unchanged.
    const file = join(dir, "invalid-utf8.jsonl");
    const bytes = Buffer.from(`${(await lines()).join("\n")}\n`);
    const second = bytes.indexOf(0x0a) + 1;
    bytes[bytes.indexOf(Buffer.from('"actor":"'), second) + 9] = 0xff;
    await writeFile(file, bytes);
    const invalid = await verifyFile(file, trusted);
    expect(invalid).toMatchObject({ ok: false, at: 2, line: 2 });
    expect(invalid.ok || invalid.reason).toMatch(/^line 2 is not valid UTF-8/);
  });
});

describe("atix status", () => {
  it("shows the coordinator instance, agencies heard, the open deliveries and the chain length", async () => {
    // Presence while status listens: AZ on duty, KZ reduced, and TR's signed with another key (ignored).
    const say = async (agency: string, status: "on-duty" | "reduced", seedOf = agency) =>
      publishPresence((await ex.connectAgency(agency)).nc, agency, ex.clock.iso(), { status }, ex.ids.agencies.get(seedOf)!.seed);
    const timer = setInterval(() => void Promise.all([say("AZ", "on-duty"), say("KZ", "reduced"), say("TR", "on-duty", "AZ")]), 300);
    const r = await atix("status", "--json").finally(() => clearInterval(timer));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.coordinators.map((c: { instance: string }) => c.instance)).toEqual(["c1"]);
    expect(s.coordinators[0]).toMatchObject({ pid: process.pid });
    expect(s.coordinators[0].processed).toBeGreaterThanOrEqual(4);
    // The alert went to 5 agencies; KZ acknowledged in time. PRIORITY (3 h) is not due yet.
    expect(s.figures).toMatchObject({ deliveries: 5, awaiting: 4, overdue: 0, acknowledged: 1, withinDeadline: 1, late: 0 });
    expect(s.figures.byPrecedence.PRIORITY).toMatchObject({ deliveries: 5, awaiting: 4, overdue: 0, inTime: 1 });
    expect(s.agencies).toMatchObject({ registered: 6, heard: 2, online: 2, byStatus: { "on-duty": 1, reduced: 1, offline: 0 } });
    expect(s.audit.records).toBeGreaterThanOrEqual((await lines()).length);
  });
});

describe("atix watch", () => {
  it("prints, as JSON lines, events recorded after it started; Ctrl-C ends it with exit 0", async () => {
    const child = spawn(process.execPath, [ATIX_BIN, "watch", "--json", "--nats", ex.url], { env: { ...process.env, ...env() }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      await eventually(() => (stderr.includes("watching") ? true : undefined), 15_000, "watch to start");
      const m = compose("alert", testAlertBody({ precedence: "PRIORITY", distribution: { agencies: ["RU"] } }), { sender: "TR", sentAt: ex.clock.iso() });
      await sendAndWait("TR", m);
      const records = await eventually(() => {
        const rs = stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
        return rs.some((r) => r.event === "delivered" && r.messageId === m.id) ? rs : undefined;
      }, 10_000, "the new alert in watch's output");
      // Only what happened after it started, in chain order.
      expect(records[0]).toMatchObject({ event: "submitted", messageId: m.id, actor: "TR" });
      expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => records[0]!.seq + i));
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("formats an event per line: time, event, actor and agency, kind, short id, key data", async () => {
    const records = await auditRecords(ex.admin);
    const rejected = formatEvent(records.find((r) => r.event === "rejected" && r.messageId === forged.id)!);
    expect(rejected).toContain("bad-signature");
    expect(rejected).toContain(`…${forged.id.replace(/-/g, "").slice(-8)}`);
    const acked = formatEvent(records.find((r) => r.event === "acknowledged")!);
    expect(acked).toMatch(/09-21 \d\d:\d\d:\d\d {2}acknowledged {2}KZ → AZ +alert .*PRIORITY .*after \d+\.\d min \(in time\) {2}by KZ-DO-1/);
    expect(formatEvent(records.find((r) => r.event === "submitted" && r.messageId === alert.id)!)).toMatch(/AZ .*PRIORITY {2}5 recipients {2}TLP:AMBER/);
    // A message's deliveries are one record and one line, naming the recipients.
    const delivered = formatRecord(records.find((r) => r.event === "delivered" && r.messageId === alert.id)!);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatch(/delivered +ATIX +alert .*PRIORITY {2}5 recipients: (KG|KZ|RU|TR|UZ)(, (KG|KZ|RU|TR|UZ)){4} {2}due /);
  });
});
