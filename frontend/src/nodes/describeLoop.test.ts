import { describe, expect, it } from 'vitest';
import { describeStep, type StepLike } from './describe';

const say = (node: StepLike, lang: 'en' | 'ru') => describeStep(node, { nodes: [node], edges: [], presets: [], lang });

describe('For each and Collect on the canvas', () => {
  it.each([
    [{ list: '{{trigger.json.positions}}' }, 'ru', 'Для каждого элемента', 'списка positions'],
    [{ path: '$.request[0].tourists' }, 'ru', 'Для каждого элемента', 'списка tourists'],
    [{}, 'ru', 'Для каждого элемента', 'из данных предыдущего шага'],
    [{ path: 'positions' }, 'en', 'For each item', 'of the list positions'],
  ] as const)('%j (%s) says which list it goes through', (config, lang, title, summary) => {
    expect(say({ id: 'foreach1', kind: 'foreach', config }, lang)).toMatchObject({ title, summary });
  });
  it('names Collect by what it does', () => {
    expect(say({ id: 'collect1', kind: 'collect', config: {} }, 'ru')).toMatchObject({ title: 'Собрать', summary: 'результаты всех элементов' });
  });
});
