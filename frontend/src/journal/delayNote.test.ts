import { describe, expect, it } from 'vitest';
import { describeStep, type StepLike } from '../nodes/describe';
import type { Lang } from '../i18n/i18n';
import { untilText } from './DelayNote';

function summary(config: Record<string, unknown>, lang: Lang) {
  const node: StepLike = { id: 'delay1', kind: 'delay', config };
  return describeStep(node, { nodes: [node], edges: [], presets: [], lang });
}

describe('a Delay step on the canvas', () => {
  it.each([
    [{ mode: 'for', amount: 2, unit: 'hours' }, 'ru', '2 часа'],
    [{ mode: 'for', amount: 5, unit: 'hours' }, 'ru', '5 часов'],
    [{ mode: 'for', amount: 1, unit: 'days' }, 'ru', '1 день'],
    [{ mode: 'for', amount: 21, unit: 'minutes' }, 'ru', '21 минута'],
    [{ mode: 'for', amount: 1.5, unit: 'hours' }, 'ru', '1.5 часа'],
    [{}, 'ru', '1 час'],
    [{ mode: 'for', amount: 2, unit: 'hours' }, 'en', '2 hours'],
    [{ mode: 'for', amount: 1, unit: 'minutes' }, 'en', '1 minute'],
    [{ mode: 'until', until: '{{trigger.params.date}}' }, 'ru', 'до {{trigger.params.date}}'],
    [{ mode: 'until', until: '' }, 'ru', 'дата пока не выбрана'],
  ] as const)('%j in %s reads %s', (config, lang, want) => {
    const d = summary(config, lang);
    expect(d.summary).toBe(want);
    expect(d.title).toBe(lang === 'ru' ? 'Пауза' : 'Delay');
  });
});

describe('untilText', () => {
  it('writes the day and the minute without a comma, in the reader\'s clock', () => {
    const at = new Date(2026, 11, 1, 9, 0); // local time
    expect(untilText(at.toISOString(), 'ru')).toBe('01.12.2026 09:00');
    expect(untilText(at.toISOString(), 'en')).toBe('01/12/2026 09:00');
  });
  it('shows an unreadable value as it came', () => {
    expect(untilText('soon', 'ru')).toBe('soon');
  });
});
