// The keys an agency holds for itself, and which one it uses now. After `atix keys rotate` it
// holds two: the new one signs (and logs in) from the moment the registry lists it as valid, the
// old one until then, so a node keeps working across a rotation without a restart and without a
// message signed with a key the exchange does not know yet. When the registry lists a key of the
// agency that the ring does not hold (the agency rotated while its node ran), it reads its key
// files again.
import { signingKey } from "../../shared/exchange/agency-keys.ts";
import { publicKeyOfSeed } from "../../shared/contracts/signing.ts";
import type { Logger } from "../../shared/log.ts";
import type { SenderKeys } from "./verify-delivery.ts";

/** Reads the agency's seeds from its key files: the current one and those rotations replaced. */
export type SeedFiles = () => Promise<{ current: string; previous: string[] }>;

export class KeyRing {
  private readonly seeds = new Map<string, string>();
  private readonly own = new Set<string>();
  private last: string | undefined;
  private reading: Promise<void> | undefined;

  /** `current`: the seed in the key file; `previous`: the ones rotations replaced, newest first. */
  constructor(
    private readonly agency: string,
    private current: string,
    previous: string[],
    private readonly keys: SenderKeys,
    private readonly log?: Logger,
    private readonly files?: SeedFiles,
  ) {
    this.hold(current, previous);
    if (files) keys.onChange(() => void this.lookForNewKey());
  }

  private hold(current: string, previous: string[]) {
    this.current = current;
    for (const s of [current, ...previous]) {
      const pk = publicKeyOfSeed(s);
      this.seeds.set(pk, s);
      this.own.add(pk);
    }
  }

  /** The registry lists a key of ours we do not hold: the key files may have one more since. */
  private lookForNewKey() {
    const entry = this.keys.entry(this.agency);
    if (!entry || this.own.has(entry.publicKey) || this.reading || !this.files) return;
    this.reading = this.files()
      .then(({ current, previous }) => {
        this.hold(current, previous);
        if (!this.own.has(entry.publicKey)) this.log?.warn({ publicKey: entry.publicKey }, "the registry lists a key of ours whose seed is not in the key files");
      })
      .catch((err) => this.log?.error({ err }, "could not read the key files again"))
      .finally(() => (this.reading = undefined));
  }

  /** The public keys held. */
  get publicKeys(): string[] {
    return [...this.own];
  }

  /** The seed to sign and log in with at this moment (wall time: key validity is wall time). */
  seed(nowMs = Date.now()): string {
    const entry = this.keys.entry(this.agency);
    const key = entry ? signingKey(entry, this.own, nowMs) : undefined;
    const seed = (key && this.seeds.get(key)) ?? this.current;
    if (key !== this.last && key) {
      if (this.last) this.log?.info({ publicKey: key, previous: this.last }, "signing with the key the registry lists now");
      this.last = key;
    }
    return seed;
  }
}
