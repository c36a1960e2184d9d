// Given/When/Then for the coordinator's pure decisions, in the style of event-driven-io/emmett's
// DeciderSpecification: given what happened (events folded into a state by `evolve`), when a
// command comes, then the decision is this. No broker, no I/O: a spec is a function call.
import { expect } from "vitest";

export interface Decider<Command, Decision, State, Event> {
  decide(command: Command, state: State): Decision;
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface Then<Decision> {
  /** The decision has (at least) these fields: `expected` as in vitest's toMatchObject. */
  then(expected: Partial<Decision> | Record<string, unknown>): Decision;
  /** The decision, for checks a shape cannot say. */
  thenDecision(check: (d: Decision) => void): Decision;
}

export function DeciderSpecification<Command, Decision, State, Event>(decider: Decider<Command, Decision, State, Event>) {
  return {
    given(...events: Event[]) {
      return {
        when(command: Command): Then<Decision> {
          const decision = () => decider.decide(command, events.reduce((s, e) => decider.evolve(s, e), decider.initialState()));
          return {
            then(expected) {
              const d = decision();
              expect(d).toMatchObject(expected);
              return d;
            },
            thenDecision(check) {
              const d = decision();
              check(d);
              return d;
            },
          };
        },
      };
    },
  };
}
