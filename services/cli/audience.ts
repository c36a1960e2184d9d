// `--to` for people: all | region:NAME | org:NAME | group:NAME | agency:ID[,ID], combinable
// with commas ("org:CIS,agency:GE,TR"); a bare item continues the previous selector.
import { InvalidArgumentError } from "commander";
import { type Distribution, REGIONS } from "../../shared/contracts/index.ts";

const KEYS = { region: "regions", org: "organisations", group: "sharingGroups", agency: "agencies" } as const;

export function parseAudience(text: string): Distribution {
  const d: Record<string, unknown> = {};
  let current: (typeof KEYS)[keyof typeof KEYS] | undefined;
  for (const raw of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (raw.toLowerCase() === "all") {
      d.all = true;
      current = undefined;
      continue;
    }
    const m = /^(region|org|group|agency):(.+)$/i.exec(raw);
    if (m) current = KEYS[m[1]!.toLowerCase() as keyof typeof KEYS];
    const value = (m ? m[2]! : raw).trim();
    if (!current) throw new InvalidArgumentError(`--to expects all, region:NAME, org:NAME, group:NAME or agency:ID[,ID], got "${raw}"`);
    const v = current === "agencies" || current === "organisations" ? value.toUpperCase() : value.toLowerCase();
    if (current === "regions" && !(REGIONS as readonly string[]).includes(v))
      throw new InvalidArgumentError(`--to region: expects one of ${REGIONS.join(", ")}, got "${value}"`);
    ((d[current] ??= []) as string[]).push(v);
  }
  if (!Object.keys(d).length) throw new InvalidArgumentError("--to expects at least one audience");
  return d as Distribution;
}
