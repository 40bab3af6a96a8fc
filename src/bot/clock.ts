// Clocks: the real one, and the local playground's, which /local/tick can move to another time.
import type { Clock } from '../domain/ports.ts';

export const systemClock: Clock = { now: () => new Date() };

/** Reads the real clock until set; after set(T) it reads T plus the real time elapsed since. */
export class SimulatedClock implements Clock {
  private offsetMs = 0;
  constructor(private readonly real: Clock = systemClock) {}
  now(): Date {
    return new Date(this.real.now().getTime() + this.offsetMs);
  }
  set(at: Date): void {
    this.offsetMs = at.getTime() - this.real.now().getTime();
  }
}
