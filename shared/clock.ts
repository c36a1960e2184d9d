// The one clock every service reads. Simulated time runs `speed` times faster than wall time
// from an anchor; changing speed or pausing re-anchors, so simulated time never jumps.
import { z } from "zod";

export const ClockState = z
  .object({
    simAnchor: z.number().meta({ description: "Simulated epoch ms at wallAnchor." }),
    wallAnchor: z.number().meta({ description: "Wall epoch ms at which simAnchor held." }),
    speed: z.number().positive("expected a speed above 0"),
    paused: z.boolean().default(false),
  })
  .strict();
export type ClockState = z.infer<typeof ClockState>;

/**
 * A clock state that continues `state` from now with another speed and/or from another simulated
 * time (`atix init --publish --speed --start`, `atix coordinator --speed --start`).
 */
export function retimed(state: ClockState, change: { speed?: number; simStart?: number }, wallNow = Date.now()): ClockState {
  const simNow = new SimClock(state, () => wallNow).nowMs();
  return { simAnchor: change.simStart ?? simNow, wallAnchor: wallNow, speed: change.speed ?? state.speed, paused: state.paused };
}

/** Earlier states a clock keeps (pastAt): a few changes of speed, pauses and jumps. */
const EARLIER_STATES = 16;

export class SimClock {
  /** The states before the current one, oldest first, each in effect from its wallAnchor. */
  private readonly earlier: ClockState[] = [];

  constructor(
    private state: ClockState,
    private readonly wallNow: () => number = Date.now,
  ) {}

  static start(speed = 1, simStart = Date.now(), wallNow: () => number = Date.now): SimClock {
    return new SimClock({ simAnchor: simStart, wallAnchor: wallNow(), speed, paused: false }, wallNow);
  }

  get speed(): number {
    return this.state.speed;
  }
  get paused(): boolean {
    return this.state.paused;
  }
  snapshot(): ClockState {
    return { ...this.state };
  }
  /** Adopts a state published by whoever controls the exchange's clock. */
  adopt(state: ClockState) {
    const s = this.state;
    if (state.simAnchor !== s.simAnchor || state.wallAnchor !== s.wallAnchor || state.speed !== s.speed || state.paused !== s.paused) this.change({ ...state });
  }

  private change(next: ClockState) {
    this.earlier.push(this.state);
    if (this.earlier.length > EARLIER_STATES) this.earlier.shift();
    this.state = next;
  }

  nowMs(): number {
    const s = this.state;
    return s.paused ? s.simAnchor : s.simAnchor + (this.wallNow() - s.wallAnchor) * s.speed;
  }
  /** Simulated time at wall time `wallMs`, as the clock runs now (the moment a message was stored, say). */
  at(wallMs: number): number {
    const s = this.state;
    return s.paused ? s.simAnchor : s.simAnchor + (wallMs - s.wallAnchor) * s.speed;
  }
  /**
   * Simulated time at wall time `wallMs` as the clock ran then: across the changes this clock saw
   * (a jump, a pause, another speed), not extrapolated back from the current state. Undefined
   * before the first state this clock knows (a process started after a change cannot tell). Not
   * for anything two instances must compute alike (one may have seen fewer changes): `at` is.
   */
  pastAt(wallMs: number): number | undefined {
    let s = this.state;
    for (let i = this.earlier.length - 1; s.wallAnchor > wallMs && i >= 0; i--) s = this.earlier[i]!;
    if (s.wallAnchor > wallMs) return undefined;
    return s.paused ? s.simAnchor : s.simAnchor + (wallMs - s.wallAnchor) * s.speed;
  }
  now(): Date {
    return new Date(this.nowMs());
  }
  iso(): string {
    return isoAt(this.nowMs());
  }

  /** Wall milliseconds until simulated time reaches `simMs` (Infinity while paused). */
  wallDelayUntil(simMs: number): number {
    if (this.state.paused) return Number.POSITIVE_INFINITY;
    return Math.max(0, (simMs - this.nowMs()) / this.state.speed);
  }
  /** Wall milliseconds that `simMs` of simulated duration take. */
  wallDuration(simMs: number): number {
    return simMs / this.state.speed;
  }

  setSpeed(speed: number) {
    this.change({ ...this.state, simAnchor: this.nowMs(), wallAnchor: this.wallNow(), speed });
  }
  pause() {
    if (!this.state.paused) this.change({ ...this.state, simAnchor: this.nowMs(), wallAnchor: this.wallNow(), paused: true });
  }
  /** Moves simulated time forward to `simMs` (never back), keeping the speed and a pause. */
  jumpTo(simMs: number) {
    if (simMs > this.nowMs()) this.change({ ...this.state, simAnchor: simMs, wallAnchor: this.wallNow() });
  }
  resume() {
    if (this.state.paused) this.change({ ...this.state, wallAnchor: this.wallNow(), paused: false });
  }
}

let lastIsoMs = Number.NaN;
let lastIso = "";
/** `new Date(ms).toISOString()`, remembered for the last `ms`: deliveries read in one turn share their time. */
export function isoAt(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
}
