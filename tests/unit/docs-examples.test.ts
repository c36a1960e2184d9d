// The messages docs/protocol.md shows are the shipped examples, byte for byte once parsed: a signed
// example changed (and signed again) must be changed in the document too. Abridged ones (…) are left.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { examples } from "../support/examples.ts";

describe("docs/protocol.md", () => {
  it("quotes every complete example message exactly as shipped", async () => {
    const text = await readFile(new URL("../../docs/protocol.md", import.meta.url), "utf8");
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => !b.includes("…"));
    const quoted = blocks.map((b) => JSON.parse(b) as { id: string; kind: keyof typeof examples });
    expect(quoted.length).toBeGreaterThanOrEqual(5);
    for (const m of quoted) expect(m, m.kind).toEqual(examples[m.kind]);
  });
});
