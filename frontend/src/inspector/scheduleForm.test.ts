import { describe, expect, it } from 'vitest';
import type { Field } from '../api/types';
import { shownFields } from './scheduleForm';
import { scheduleTitle } from '../nodes/describe';

const field = (key: string): Field => ({ key, type: 'select', label: { en: key, ru: key } }) as Field;
const fields = ['every', 'time', 'weekday', 'cron', 'timezone', 'missed'].map(field);
const keys = (every: string | undefined) => shownFields('schedule', fields, every ? { every } : {}).map((f) => f.key);

describe('the schedule form', () => {
  it('shows the time for every day and the day of the week only for every week', () => {
    expect(keys('day')).toEqual(['every', 'time', 'timezone', 'missed']);
    expect(keys(undefined)).toEqual(['every', 'time', 'timezone', 'missed']);
    expect(keys('week')).toEqual(['every', 'time', 'weekday', 'timezone', 'missed']);
    expect(keys('15m')).toEqual(['every', 'timezone', 'missed']);
    expect(keys('cron')).toEqual(['every', 'cron', 'timezone', 'missed']);
  });
  it('leaves other kinds alone', () => {
    expect(shownFields('webhook', fields, { every: '15m' })).toHaveLength(fields.length);
  });
});

describe('the schedule step title', () => {
  it.each([
    [{ every: 'day', time: '09:00' }, 'Каждый день в 09:00', 'Every day at 09:00'],
    [{}, 'Каждый день в 09:00', 'Every day at 09:00'],
    [{ every: 'week', weekday: 'monday', time: '10:00' }, 'Каждый понедельник в 10:00', 'Every Monday at 10:00'],
    [{ every: 'week', weekday: 'friday', time: '18:30' }, 'Каждую пятницу в 18:30', 'Every Friday at 18:30'],
    [{ every: 'workdays', time: '08:00' }, 'По будним дням в 08:00', 'Every working day at 08:00'],
    [{ every: '1m' }, 'Каждую минуту', 'Every minute'],
    [{ every: '15m' }, 'Каждые 15 минут', 'Every 15 minutes'],
    [{ every: '1h' }, 'Каждый час', 'Every hour'],
    [{ every: '2h' }, 'Каждые 2 часа', 'Every 2 hours'],
    [{ every: '6h' }, 'Каждые 6 часов', 'Every 6 hours'],
    [{ every: 'cron', cron: '30 8 1 * *' }, 'По расписанию: 30 8 1 * *', 'On a schedule: 30 8 1 * *'],
  ])('%o reads %s', (config, ru, en) => {
    expect(scheduleTitle(config, 'ru')).toBe(ru);
    expect(scheduleTitle(config, 'en')).toBe(en);
  });
});
