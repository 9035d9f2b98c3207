/**
 * When the reply to a request for disclosure is due (条例 第三十三条): 20 working days after the
 * request is received, once extendable by 20 more; the days from a 补正 request until the correction
 * arrives do not count. Pure: the official calendar (shared/working-days.ts) and the day are given.
 */
import { addDays, type IsoDate } from '../../shared/dates.js';
import { countWorkingDays, dayKind, missingCalendarYear, type CalendarAnswer } from '../../shared/working-days.js';

export const REPLY_WORKING_DAYS = 20;
export const EXTENSION_WORKING_DAYS = 20;

export interface DeadlineFacts {
  received_on: IsoDate;
  correction_asked_on: IsoDate | null;
  correction_received_on: IsoDate | null;
  extended_on: IsoDate | null;
}

/**
 * The due day, or null while a correction is awaited (the clock stands still until it arrives).
 * Days d with asked < d ≤ corrected are not counted: the day the correction is asked for is one the
 * organ worked on the request, the day it arrives is the first of the new count.
 */
export function replyDueOn(f: DeadlineFacts): CalendarAnswer<IsoDate | null> {
  if (f.correction_asked_on !== null && f.correction_received_on === null) return { known: true, value: null };
  const paused = (day: IsoDate) =>
    f.correction_asked_on !== null && f.correction_received_on !== null && day > f.correction_asked_on && day <= f.correction_received_on;
  let left = REPLY_WORKING_DAYS + (f.extended_on === null ? 0 : EXTENSION_WORKING_DAYS);
  let day = f.received_on;
  while (left > 0) {
    day = addDays(day, 1);
    const kind = dayKind(day);
    if (kind === 'unknown') return { known: false, missingYears: [missingCalendarYear(day)!] };
    if (kind === 'workday' && !paused(day)) left--;
  }
  return { known: true, value: day };
}

export type DeadlineState =
  | { state: 'awaiting_correction' }
  | { state: 'open'; due_on: IsoDate; working_days_left: number }
  | { state: 'overdue'; due_on: IsoDate; working_days_overdue: number }
  | { state: 'unknown'; missing_years: number[] };

/** Where an open request stands on `today`: working days left (0 on the due day), or overdue by how many. */
export function deadlineState(f: DeadlineFacts, today: IsoDate): DeadlineState {
  const due = replyDueOn(f);
  if (!due.known) return { state: 'unknown', missing_years: due.missingYears };
  if (due.value === null) return { state: 'awaiting_correction' };
  const span = today <= due.value ? countWorkingDays(today, due.value) : countWorkingDays(due.value, today);
  if (!span.known) return { state: 'unknown', missing_years: span.missingYears };
  return today <= due.value
    ? { state: 'open', due_on: due.value, working_days_left: span.value }
    : { state: 'overdue', due_on: due.value, working_days_overdue: span.value };
}
