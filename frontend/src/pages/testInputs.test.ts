import { describe, expect, it } from 'vitest';
import { inputValues, SECRET_MASK, testInputs } from './testInputs';

const defs = [
  { key: 'api_key', secret: true, required: true },
  { key: 'offer', required: true },
  { key: 'country', default: 'RU' },
];

describe('test input values', () => {
  it('uses saved values, then defaults, and marks a saved secret as hidden', () => {
    const list = testInputs(defs, { api_key: SECRET_MASK, offer: '12' });
    expect(inputValues(list)).toEqual({ api_key: SECRET_MASK, offer: '12', country: 'RU' });
    expect(list.map((i) => i.hidden)).toEqual([true, false, false]);
  });

  it('a value typed for the test wins over the saved one and is no longer hidden', () => {
    const list = testInputs(defs, { api_key: SECRET_MASK, offer: '12' }, { api_key: 'real-key', country: 'KZ' });
    expect(inputValues(list)).toEqual({ api_key: 'real-key', offer: '12', country: 'KZ' });
    expect(list[0].hidden).toBe(false);
  });

  it('an empty typed value falls back to the saved one', () => {
    expect(inputValues(testInputs(defs, { offer: '12' }, { offer: '' })).offer).toBe('12');
  });
});
