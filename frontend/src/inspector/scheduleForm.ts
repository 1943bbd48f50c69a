// The schedule step's form shows only what its "how often" choice uses: the time for every
// day, working days and every week, the day of the week for every week, the cron expression
// for the advanced choice. Other kinds show all their fields.
import type { Field } from '../api/types';

const USED_BY: Record<string, string[]> = {
  time: ['day', 'workdays', 'week'],
  weekday: ['week'],
  cron: ['cron'],
};

/** The fields of a step's form for its config. */
export function shownFields(kind: string, fields: Field[], config: Record<string, unknown>): Field[] {
  if (kind !== 'schedule') return fields;
  const every = typeof config.every === 'string' && config.every ? config.every : 'day';
  return fields.filter((f) => !USED_BY[f.key] || USED_BY[f.key].includes(every));
}
