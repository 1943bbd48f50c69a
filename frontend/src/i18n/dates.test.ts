import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatTime } from './dates';

describe('dates in the chosen language', () => {
  const at = new Date(2026, 11, 1, 8, 5, 9);
  it('writes a Russian date with the month in Russian and a 24-hour time', () => {
    const s = formatDateTime(at, 'ru');
    expect(s).toMatch(/1 дек/);
    expect(s).toMatch(/2026/);
    expect(s).toMatch(/08:05/);
    expect(s).not.toMatch(/[A-Za-z]/);
  });
  it('writes an English date with the month in English', () => {
    expect(formatDateTime(at, 'en')).toMatch(/1 Dec 2026/);
  });
  it('follows the language asked for, not the browser', () => {
    expect(formatDate(at, 'ru')).not.toEqual(formatDate(at, 'en'));
    expect(formatTime(at, 'ru')).toBe('08:05:09');
  });
  it('shows an unreadable value as it came instead of "Invalid Date"', () => {
    expect(formatDateTime('not a date', 'ru')).toBe('not a date');
  });
});
