// Which deliveries are a scenario's scripted injects, and what the script says their recipients do
// besides acknowledging (answer an RFI, report a hit). Generated reactions are for background
// traffic only: a random "hit" on a scripted alert would tell the room a story the script denies.
// Only the process that plays the script fills this in (the scenario runner, which also hosts
// these nodes), with the id of each inject before it sends it: nothing in a message, which any
// agency can write, marks it as scripted.
import { BoundedMap } from "../../shared/bounded.ts";

export interface ScriptedReaction {
  /** Recipients that answer (an RFI): "all", or the named ones. */
  answers: "all" | readonly string[];
  /** Recipients that report a hit (on an alert). */
  hits: readonly string[];
}

/** A scripted inject whose recipients only acknowledge. */
export const NO_REACTION: ScriptedReaction = Object.freeze({ answers: [], hits: [] });

/** Injects a script may hold: far more than any scenario has (baku-247 has 15). */
const MAX_INJECTS = 10_000;

export class InjectScript {
  private readonly byId = new BoundedMap<string, ScriptedReaction>(MAX_INJECTS);

  /** Marks `messageId` as a scripted inject (before it is sent). */
  add(messageId: string, reaction: ScriptedReaction = NO_REACTION) {
    this.byId.set(messageId, reaction);
  }

  /** The script's word on a delivery; undefined for background traffic. */
  get(messageId: string): ScriptedReaction | undefined {
    return this.byId.get(messageId);
  }
}

/** Whether the script has `agency` answer (an RFI) or report a hit (on an alert). */
export const scriptedAnswer = (r: ScriptedReaction, agency: string) => r.answers === "all" || r.answers.includes(agency);
export const scriptedHit = (r: ScriptedReaction, agency: string) => r.hits.includes(agency);
