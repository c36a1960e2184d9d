// The shipped example messages and demo keys, loaded once for the tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MESSAGE_KINDS, type Message, type MessageKind } from "../../shared/contracts/index.ts";
import { examplesDir } from "../../shared/contracts/examples/location.ts";

export const examplePath = (kind: MessageKind) => join(examplesDir, `${kind}.json`);

export const examples: Record<MessageKind, Message> = Object.fromEntries(
  MESSAGE_KINDS.map((k) => [k, JSON.parse(readFileSync(examplePath(k), "utf8"))]),
) as Record<MessageKind, Message>;

export const demoKeys: Record<string, { seed: string; publicKey: string }> = JSON.parse(
  readFileSync(join(examplesDir, "keys", "demo-keys.json"), "utf8"),
).keys;

export const clone = <T>(v: T): T => structuredClone(v);
