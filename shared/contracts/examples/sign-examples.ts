// Signs the shipped example messages with the demo keys of their senders.
// Run: npx tsx shared/contracts/examples/sign-examples.ts
// Reads every <kind>.json here, checks it against the contracts, signs it with the demo seed
// of its `sender` (demo-keys.json), checks the new signature and writes the file back.
// Nothing is written unless every example is valid.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MESSAGE_KINDS, formatProblem, parseMessage, verify, type Signature } from "../index.ts";
import { sign } from "../signing.ts";
import { examplesDir } from "./location.ts";

type DemoKeys = { keys: Record<string, { seed: string; publicKey: string }> };
type Example = { kind?: unknown; sender?: unknown; signature?: Signature };

const keys = (JSON.parse(readFileSync(join(examplesDir, "keys", "demo-keys.json"), "utf8")) as DemoKeys).keys;
const failures: string[] = [];
const signed: { file: string; message: Example }[] = [];

for (const kind of MESSAGE_KINDS) {
  const file = join(examplesDir, `${kind}.json`);
  let message: Example;
  try {
    message = JSON.parse(readFileSync(file, "utf8")) as Example;
  } catch (e) {
    failures.push(`${kind}.json: cannot read it as JSON: ${(e as Error).message}`);
    continue;
  }
  const parsed = parseMessage(message);
  if (!parsed.ok) {
    failures.push(`${kind}.json is not a valid message:\n${parsed.problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
    continue;
  }
  if (message.kind !== kind) {
    failures.push(`${kind}.json: kind: expected "${kind}" (the file name), found ${JSON.stringify(message.kind)}`);
    continue;
  }
  const key = keys[String(message.sender)];
  if (!key) {
    failures.push(`${kind}.json: sender: no demo key for ${JSON.stringify(message.sender)} in demo-keys.json`);
    continue;
  }
  // Sign what is in the file, not the parsed value: parsing may add defaults the file does not hold.
  const out = sign(message, key.seed);
  const check = verify(out, key.publicKey);
  if (!check.ok) {
    failures.push(`${kind}.json: the new signature does not verify: ${check.reason}`);
    continue;
  }
  signed.push({ file, message: out });
}

if (failures.length) {
  console.error(`sign-examples: nothing written, ${failures.length} example(s) failed:\n${failures.join("\n")}`);
  process.exit(1);
}
for (const { file, message } of signed) writeFileSync(file, `${JSON.stringify(message, null, 2)}\n`);
console.log(`sign-examples: signed ${signed.length} examples in ${examplesDir}`);
