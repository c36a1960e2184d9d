// The registry in memory: who takes part, and who an alert's distribution reaches.
import { loadYamlFile } from "../yaml-file.ts";
import { type AgencyId, type AgencyRegistryEntry, type Distribution, type RegistryData, Roster } from "../contracts/index.ts";

export { RegistryData } from "../contracts/registry.ts";

/** Reads a roster file; a mistake is reported with its path in the file and its line. */
export const loadRoster = (file: string): Promise<Roster> => loadYamlFile(file, Roster, "roster");

export class Registry {
  readonly byId: ReadonlyMap<AgencyId, AgencyRegistryEntry>;

  constructor(readonly data: RegistryData) {
    this.byId = new Map(data.agencies.map((a) => [a.id, a]));
  }

  get ids(): AgencyId[] {
    return [...this.byId.keys()];
  }
  get(id: string): AgencyRegistryEntry | undefined {
    return this.byId.get(id);
  }

  /** Every agency a distribution reaches, the sender excluded, in registry order. */
  resolve(d: Distribution, sender?: AgencyId): { recipients: AgencyId[]; unknown: string[] } {
    const want = new Set<AgencyId>();
    const unknown: string[] = [];
    const orgIds = new Set(this.data.organisations.map((o) => o.id));
    for (const a of this.data.agencies) {
      if (d.all || d.regions?.includes(a.region) || a.organisations.some((o) => d.organisations?.includes(o))) want.add(a.id);
      if (a.sharingGroups.some((g) => d.sharingGroups?.includes(g))) want.add(a.id);
    }
    for (const g of d.sharingGroups ?? []) {
      const group = this.data.sharingGroups.find((x) => x.id === g);
      if (!group) unknown.push(`sharing group ${g}`);
      else group.members.forEach((m) => this.byId.has(m) && want.add(m));
    }
    for (const o of d.organisations ?? []) if (!orgIds.has(o)) unknown.push(`organisation ${o}`);
    for (const id of d.agencies ?? []) (this.byId.has(id) ? want.add(id) : unknown.push(`agency ${id}`));
    if (sender) want.delete(sender);
    return { recipients: this.data.agencies.map((a) => a.id).filter((id) => want.has(id)), unknown };
  }

  /**
   * The backup contact for escalations: the regional hub of the agency's first organisation
   * (in the order its registry entry lists them) whose hub is another agency.
   */
  backupContact(id: AgencyId): { hub: AgencyId; via: string } | undefined {
    const a = this.byId.get(id);
    for (const o of a?.organisations ?? []) {
      const hub = this.data.organisations.find((x) => x.id === o)?.hub;
      if (hub && hub !== id && this.byId.has(hub)) return { hub, via: o };
    }
    return undefined;
  }
}
