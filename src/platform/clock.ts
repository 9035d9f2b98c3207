import { todayIn, type IsoDate } from '../shared/dates.js';

/** The one place that reads the wall clock, so rules and tests can be given any day. */
export interface Clock {
  today(): IsoDate;
}

export function systemClock(timeZone: string): Clock {
  return { today: () => todayIn(timeZone, new Date()) };
}

export function fixedClock(day: IsoDate): Clock {
  return { today: () => day };
}
