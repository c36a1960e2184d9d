// Keys made on the agency's side and registered on the operator's, on disk only (no broker): the
// files `atix keys new` and `rotate` write, what the operator accepts as a .pub, and what preparing
// an exchange does with agencies that hold their own keys (no seed of theirs kept, an operator-made
// one deleted and retired at once, earlier registrations kept, the accounts listing both keys
// during an overlap), the registration of a rotation, and the connection file.
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyRegistrations } from "../../services/launcher/register-keys.ts";
import { prepareHome } from "../../services/launcher/prepare.ts";
import { ConnectionFile } from "../../shared/contracts/index.ts";
import { connectionFileFor } from "../../shared/exchange/connection-file.ts";
import { readIdentity, seedOf } from "../../shared/exchange/identities.ts";
import { agencySeeds, makeAgencyKeys, readPublicKeyFiles, rotateAgencyKeys } from "../../shared/exchange/key-files.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { SMALL_ORDER_NKEY } from "../support/small-order-key.ts";

const path = useTempDir("atix-key-files-");
const ROSTER = new URL("../../simulations/rosters/smoke-6.yaml", import.meta.url).pathname;
const T0 = Date.parse("2026-09-21T08:00:00Z");

describe("an agency's key files", () => {
  it("makes a seed readable by its owner only and a .pub with the agency and its public key; never replaces them", async () => {
    const made = await makeAgencyKeys(path("tj"), "TJ");
    expect((await stat(made.seedFile)).mode & 0o777).toBe(0o600);
    const pub = JSON.parse(await readFile(made.publicFile, "utf8"));
    expect(pub).toEqual({ agency: "TJ", publicKey: made.publicKey, createdAt: expect.any(String) });
    expect((await readIdentity(path("tj"), "TJ")).publicKey).toBe(made.publicKey);
    await expect(makeAgencyKeys(path("tj"), "TJ")).rejects.toThrow(/exists already.*keys rotate/);
    await expect(makeAgencyKeys(path("x"), "tj")).rejects.toThrow(/--agency "tj": expected an agency id/);
  });

  it("rotates: a new pair in place, the old one kept in previous/, both held by the node", async () => {
    const before = (await readIdentity(path("tj"), "TJ")).seed;
    const r = await rotateAgencyKeys(path("tj"), "TJ");
    expect(r.previous.seedFile).toMatch(/previous\/TJ\.\d{8}T\d{6}Z\.nk$/);
    expect((await stat(r.previous.seedFile)).mode & 0o777).toBe(0o600);
    const seeds = await agencySeeds(path("tj", "TJ.nk"), "TJ");
    expect(seeds.previous).toEqual([before]);
    expect(seeds.current).not.toBe(before);
    await expect(rotateAgencyKeys(path("none"), "TJ")).rejects.toThrow(/no key to rotate/);
  });

  it("never takes a public key or damaged file for a seed", async () => {
    const pub = JSON.parse(await readFile(path("tj", "TJ.pub"), "utf8")).publicKey as string;
    expect(() => seedOf(pub, "TJ.nk")).toThrow(/holds a public key/);
    expect(() => seedOf("SUAAAA", "TJ.nk")).toThrow(/not a user nkey seed/);
  });

  it("accepts a folder of .pub files only when every one checks: contract, checksum, its file's name", async () => {
    await mkdir(path("inbox"));
    const good = await readFile(path("tj", "TJ.pub"), "utf8");
    await writeFile(path("inbox", "TJ.pub"), good);
    expect([...(await readPublicKeyFiles(path("inbox"))).keys()]).toEqual(["TJ"]);
    const key = JSON.parse(good).publicKey as string;
    await writeFile(path("inbox", "KZ.pub"), good);
    await expect(readPublicKeyFiles(path("inbox"))).rejects.toThrow(/KZ\.pub: agency: expected KZ, as the file is named; it says TJ/);
    await writeFile(path("inbox", "KZ.pub"), JSON.stringify({ agency: "KZ", publicKey: `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`, createdAt: new Date().toISOString() }));
    await expect(readPublicKeyFiles(path("inbox"))).rejects.toThrow(/fails its checksum/);
    // A well-formed nkey of Ed25519's identity point: one signature would pass for every message.
    await writeFile(path("inbox", "KZ.pub"), JSON.stringify({ agency: "KZ", publicKey: SMALL_ORDER_NKEY, createdAt: new Date().toISOString() }));
    await expect(readPublicKeyFiles(path("inbox"))).rejects.toThrow(/KZ\.pub: publicKey: expected an Ed25519 key signatures can be checked against/);
    // A key named twice: JSON.parse keeps the last, another reader the first.
    const kz = { agency: "KZ", publicKey: (await readIdentity(path("tj"), "TJ")).publicKey, createdAt: new Date().toISOString() };
    await writeFile(path("inbox", "KZ.pub"), `{"agency":"KZ","publicKey":"${SMALL_ORDER_NKEY}",${JSON.stringify(kz).slice(1)}`);
    await expect(readPublicKeyFiles(path("inbox"))).rejects.toThrow(/KZ\.pub: agency: expected each key once in an object/);
    await writeFile(path("inbox", "KZ.pub"), "{not json");
    await expect(readPublicKeyFiles(path("inbox"))).rejects.toThrow(/KZ\.pub: not JSON: expected \{"agency", "publicKey", "createdAt"\}/);
    await writeFile(path("inbox", "KZ.pub"), JSON.stringify({ agency: "KZ", publicKey: (await readIdentity(path("tj"), "TJ")).seed, createdAt: "now" }));
    await expect(readPublicKeyFiles(path("inbox"))).rejects.toThrow(/publicKey: expected an NATS nkey user public key/);
    await expect(readPublicKeyFiles(path("empty-nothing"))).rejects.toThrow(/no such folder/);
  });
});

describe("preparing an exchange with agencies' own keys", () => {
  it("registers an agency by its .pub: no seed of it in the folder, the one made earlier deleted and its key retired at once", async () => {
    const home = path("op", ".atix");
    const first = await prepareHome(home, ROSTER, { nowMs: T0 });
    const operatorMade = first.registry.agencies.find((a) => a.id === "KG")!.publicKey;
    await mkdir(path("kg-side"));
    const kg = await makeAgencyKeys(path("kg-side"), "KG");
    await mkdir(path("op-inbox"));
    await writeFile(path("op-inbox", "KG.pub"), await readFile(kg.publicFile));

    const p = await prepareHome(home, ROSTER, { agencyKeys: path("op-inbox"), nowMs: T0 + 1000 });
    expect(p.external).toEqual(["KG"]);
    expect(await readdir(join(home, "keys"))).not.toContain("KG.nk");
    const entry = p.registry.agencies.find((a) => a.id === "KG")!;
    expect(entry).toMatchObject({ external: true, publicKey: kg.publicKey });
    // The operator held the old key: it stops at once, but what it signed before still verifies.
    expect(entry.keys).toEqual([
      { publicKey: operatorMade, validUntil: new Date(T0 + 1000).toISOString() },
      { publicKey: kg.publicKey, validFrom: new Date(T0 + 1000).toISOString() },
    ]);
    expect(p.notes.join("\n")).toMatch(/KG: the seed this folder held for it is deleted/);
    const auth = await readFile(join(home, "nats-auth.conf"), "utf8");
    expect(auth).toContain(kg.publicKey);
    expect(auth).not.toContain(operatorMade);

    // A later run without --agency-keys keeps KG external with its own key, and makes no seed for it.
    const again = await prepareHome(home, ROSTER, { nowMs: T0 + 2000 });
    expect(again.external).toEqual(["KG"]);
    expect(again.registry.agencies.find((a) => a.id === "KG")!.publicKey).toBe(kg.publicKey);
    expect(await readdir(join(home, "keys"))).not.toContain("KG.nk");
  });

  it("refuses an external agency without a public key, and a .pub of an agency not in the roster", async () => {
    await expect(prepareHome(path("op2", ".atix"), ROSTER, { external: ["UZ"] })).rejects.toThrow(/UZ is external: the exchange needs its public key/);
    await mkdir(path("stranger"));
    await makeAgencyKeys(path("stranger"), "FR");
    await expect(prepareHome(path("op3", ".atix"), ROSTER, { agencyKeys: path("stranger") })).rejects.toThrow(/FR is not in the roster smoke-6/);
  });

  it("registers a rotation after an overlap: both keys log in until the old one's end", async () => {
    const home = path("op", ".atix");
    const registry = JSON.parse(await readFile(join(home, "registry.json"), "utf8"));
    const rotated = await rotateAgencyKeys(path("kg-side"), "KG");
    const pubs = await readPublicKeyFiles(path("kg-side"));
    const r = applyRegistrations(registry, pubs, T0 + 10_000, 60_000);
    const kg = r.registry.agencies.find((a) => a.id === "KG")!;
    expect(kg.publicKey).toBe(rotated.publicKey);
    expect(kg.keys!.map((k) => k.publicKey)).toEqual([expect.any(String), rotated.previous.publicKey, rotated.publicKey]);
    expect(r.retiringUntil).toBe(new Date(T0 + 70_000).toISOString());
    expect(r.notes).toEqual([expect.stringMatching(/^KG: U\w+ registered; U\w+ valid until 2026-09-21T08:01:10.000Z$/)]);
    // Preparing the folder again with the .pub from before the rotation keeps the key registered since.
    await writeFile(join(home, "registry.json"), JSON.stringify(r.registry));
    const again = await prepareHome(home, ROSTER, { agencyKeys: path("op-inbox"), nowMs: T0 + 20_000 });
    expect(again.registry.agencies.find((a) => a.id === "KG")!.publicKey).toBe(rotated.publicKey);
    expect(again.notes.join("\n")).toMatch(/KG: .*KG\.pub holds a key KG has replaced since/);
    // An agency whose node the exchange runs is not registered this way.
    await mkdir(path("az-side"));
    await makeAgencyKeys(path("az-side"), "AZ");
    const az = await readPublicKeyFiles(path("az-side"));
    expect(() => applyRegistrations(registry, az, T0, 0)).toThrow(/AZ: this exchange runs its node with a key it holds/);
  });
});

describe("registering a key another identity holds", () => {
  it("refuses it, naming the file, the key and its holder: another agency, a coordinator's signing key, the observer; the folder keeps its seeds", async () => {
    const home = path("dup", ".atix");
    const first = await prepareHome(home, ROSTER, { nowMs: T0 });
    const az = first.registry.agencies.find((a) => a.id === "AZ")!.publicKey;
    const coordinatorKey = first.registry.coordinators[0]!.publicKey;
    const observer = await readIdentity(join(home, "keys"), "observer");
    const kgPub = (publicKey: string) => new Map([["KG", { agency: "KG", publicKey, file: "KG.pub" }]]);
    const external = { ...first.registry, agencies: first.registry.agencies.map((a) => (a.id === "KG" ? { ...a, external: true } : a)) };
    expect(() => applyRegistrations(external, kgPub(az), T0, 0)).toThrow(`KG.pub: publicKey: ${az} is already the key of AZ; every identity needs a key of its own`);
    expect(() => applyRegistrations(external, kgPub(coordinatorKey), T0, 0)).toThrow(/KG\.pub: publicKey: U\w+ is already the key of the coordinator signing key /);
    expect(() => applyRegistrations(external, kgPub(observer.publicKey), T0, 0, [observer])).toThrow(/is already the key of observer;/);
    // Two files of one registration with one new key between them.
    const fresh = (await makeAgencyKeys(path("fresh"), "UZ")).publicKey;
    const both = { ...external, agencies: external.agencies.map((a) => (a.id === "UZ" ? { ...a, external: true } : a)) };
    const pair = new Map([["UZ", { agency: "UZ", publicKey: fresh, file: "UZ.pub" }], ["KG", { agency: "KG", publicKey: fresh, file: "KG.pub" }]]);
    expect(() => applyRegistrations(both, pair, T0, 0)).toThrow(`KG.pub: publicKey: ${fresh} is already the key of UZ (UZ.pub, in the same registration); every identity needs a key of its own`);

    // The same .pub given to `atix up --agency-keys`: refused before KG's seed is deleted.
    await mkdir(path("dup-inbox"));
    const made = await makeAgencyKeys(path("dup-inbox"), "KG");
    await writeFile(made.publicFile, (await readFile(made.publicFile, "utf8")).replace(made.publicKey, az));
    await expect(prepareHome(home, ROSTER, { agencyKeys: path("dup-inbox"), nowMs: T0 + 1000 })).rejects.toThrow(`--agency-keys: KG.pub: publicKey: ${az} is already the key of AZ`);
    expect(await readdir(join(home, "keys"))).toContain("KG.nk");
  });
});

describe("the connection file", () => {
  it("names everything a node needs, with the exchange's public keys and no private key", async () => {
    const registry = JSON.parse(await readFile(path("op", ".atix", "registry.json"), "utf8"));
    const clock = { simAnchor: T0, wallAnchor: T0, speed: 60, paused: false };
    const c = ConnectionFile.parse(connectionFileFor(registry, "KG", ["nats://127.0.0.1:4222"], clock));
    expect(c).toMatchObject({
      agency: "KG",
      inboxPrefix: "_INBOX_KG",
      jetStreamApiPrefix: "$JS.ATIX.API",
      stream: "ATIX_DELIVERIES",
      consumers: { own: { name: "agency-KG", filterSubject: "atix.deliver.KG.>" }, broadcast: { name: "broadcast-KG", filterSubject: "atix.deliver.all.>" } },
      publish: { submit: "atix.submit.KG.<kind>", presence: "atix.presence.KG" },
      subscribe: { registry: "$KV.ATIX_CONFIG.registry", clock: "atix.clock", auditHead: "atix.audit.head" },
      registryGet: "$JS.ATIX.API.DIRECT.GET.KV_ATIX_CONFIG.$KV.ATIX_CONFIG.registry",
      presenceIntervalMs: 2000,
    });
    expect(c.publicKeys.agencies.find((a) => a.id === "KG")!.keys).toHaveLength(3); // the operator-made key, then two of its own
    expect(JSON.stringify(c)).not.toMatch(/S[A-Z2-7]{57}/);
    expect(() => connectionFileFor(registry, "FR", [], clock)).toThrow(/not an agency of this exchange/);
  });
});
