// How many copies accepting a message stores in the deliveries stream, decided once per
// acceptance (decide.ts): deliver.ts stores them, the copies quota (quota.ts) counts them. A
// message to every agency but its sender is stored once, on the broadcast subject; anything
// narrower, and anything TLP:RED however many it names, once per recipient.
import { BROADCAST_KINDS, type Message } from "../../shared/contracts/index.ts";
import type { Registry } from "../../shared/exchange/registry.ts";

/**
 * True when `recipients` are exactly the registry's agencies other than `sender`: only then does
 * a broadcast reach no one it should not (every agency but the sender reads it; the sender drops it).
 */
export function reachesEveryone(registry: Registry, sender: string, recipients: readonly string[]): boolean {
  const others = registry.ids.filter((id) => id !== sender);
  const wanted = new Set(recipients);
  return wanted.size === recipients.length && wanted.size === others.length && others.every((id) => wanted.has(id));
}

/**
 * Whether `m`, accepted for `recipients`, is stored once as a broadcast rather than once per
 * recipient: only what may go to everyone, not TLP:RED, and addressed to exactly everyone else.
 */
export function storedOnce(registry: Registry, m: Pick<Message, "kind" | "sender">, recipients: readonly string[], red: boolean): boolean {
  return recipients.length > 0 && !red && BROADCAST_KINDS.has(m.kind) && reachesEveryone(registry, m.sender, recipients);
}
