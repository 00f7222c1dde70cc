/** The time, as an adapter: the domain and services never read it themselves. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
