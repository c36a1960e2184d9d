// The history `atix bench --history` builds (services/bench/history.ts, history-chain.ts) is a
// lawful audit chain: appended to a real nats-server with the generated permissions, it verifies
// against the registry's coordinator keys as `atix audit verify` checks it, holds the mix of a
// working exchange (acceptances, deliveries, batched receipts and acknowledgements), is the same
// for the same length, leaves only a few deliveries open and none past its deadline, and a
// coordinator started on it sees the same open deliveries and takes submissions. No timings:
// speed is the bench's business.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HISTORY_START } from "../../services/bench/history-run.ts";
import { appendHistory } from "../../services/bench/history-chain.ts";
import { HistoryGenerator } from "../../services/bench/history.ts";
import { benchRoster } from "../../services/bench/roster.ts";
import { readChain } from "../../shared/audit/chain-read.ts";
import { ChainVerifier } from "../../shared/audit/chain.ts";
import { type AuditEntry, StoredAuditRecord } from "../../shared/contracts/index.ts";
import { registerCoordinatorKeys } from "../../shared/exchange/bootstrap.ts";
import { keyEntry } from "../../shared/exchange/coordinator-keys.ts";
import { newIdentity } from "../../shared/exchange/identities.ts";
import { CONFIG_KEYS } from "../../shared/exchange/store.ts";
import { DEFAULT_SETTINGS } from "../../shared/exchange/settings.ts";
import { TrackingView } from "../../shared/exchange/tracking-view.ts";
import { compose } from "../../shared/messaging/compose.ts";
import { openStore, startTestExchange, submitAndWait, testAlertBody, type TestExchange } from "../support/exchange.ts";

const N = 2_000;
let ex: TestExchange;
let history: HistoryGenerator;
const generator = () => new HistoryGenerator({ registry: ex.registry, settings: DEFAULT_SETTINGS, startMs: HISTORY_START });

beforeAll(async () => {
  ex = await startTestExchange({ roster: benchRoster(12), auth: true });
  const signer = newIdentity("bench-history");
  await registerCoordinatorKeys(await openStore(ex.admin), [keyEntry("bench-history", signer.publicKey)]);
  history = generator();
  await appendHistory(ex.admin, signer.seed, () => history.next(), N);
});
afterAll(async () => {
  await ex?.stop();
});

describe("the bench's audit-chain history", () => {
  it("verifies against the registry's coordinator keys, with the mix of a working exchange", async () => {
    const verifier = new ChainVerifier(await ex.trusted());
    const view = new TrackingView();
    const events: Record<string, number> = {};
    let batched = 0;
    for await (const { record } of readChain(ex.admin)) {
      expect(verifier.push(record), JSON.stringify(verifier.result())).toBe(true);
      const r = StoredAuditRecord.parse(record);
      events[r.event] = (events[r.event] ?? 0) + 1;
      if ((r.event === "receipted" || r.event === "acknowledged") && r.data.more) batched++;
      view.apply(r);
    }
    expect(verifier.result()).toMatchObject({ ok: true, records: N });
    for (const e of ["submitted", "delivered", "receipted", "acknowledged"]) expect(events[e], e).toBeGreaterThan(0);
    expect(events).toEqual(history.made);
    expect(batched, "receipts or acknowledgements covering several deliveries").toBeGreaterThan(0);
    // Mostly settled; what is open is recent: none past its deadline where the history ends.
    expect(view.openCount).toBe(history.openDeliveries);
    expect(view.openCount).toBeGreaterThan(0);
    expect(view.openCount).toBeLessThan(view.size / 2);
    expect([...view.overdue(history.simNowMs)]).toEqual([]);
  });

  it("is the same for the same length: the entries come from a seeded stream", () => {
    const again = generator();
    const ids = (g: HistoryGenerator, n: number) => Array.from({ length: n }, () => (g.next() as AuditEntry).eventId);
    expect(ids(again, 500)).toEqual(ids(generator(), 500));
  });

  it("is taken up by a coordinator: its view of the open deliveries is the generator's, and it accepts a submission", async () => {
    // The clock where the history ends: nothing falls due while the coordinator starts.
    await (await openStore(ex.admin)).clock.put(CONFIG_KEYS.clock, { simAnchor: history.simNowMs, wallAnchor: Date.now(), speed: 1, paused: true });
    const c = await ex.startCoordinator("history-test");
    expect(c.context.tracking.openCount).toBe(history.openDeliveries);
    const [from, to] = ex.registry.ids;
    const alert = compose("alert", testAlertBody({ distribution: { agencies: [to!] } }), { sender: from!, sentAt: new Date(history.simNowMs).toISOString() });
    expect((await submitAndWait(ex, from!, alert)).kind).toBe("acceptance");
  });
});
