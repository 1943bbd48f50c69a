import { describe, expect, it } from 'vitest';
import { inputHelp, inputLabel } from './types';

describe('a flow input in the user language', () => {
  const def = { key: 'api_key', label: 'CPA.House API key', label_ru: 'Ключ API CPA.House', description: 'In your CPA.House profile', description_ru: 'В профиле CPA.House' };
  it('shows the Russian label and description to a Russian user', () => {
    expect(inputLabel(def, 'ru')).toBe('Ключ API CPA.House');
    expect(inputHelp(def, 'ru')).toBe('В профиле CPA.House');
  });
  it('shows English to an English user', () => {
    expect(inputLabel(def, 'en')).toBe('CPA.House API key');
    expect(inputHelp(def, 'en')).toBe('In your CPA.House profile');
  });
  it('falls back to the label, then the key, when there is no Russian', () => {
    expect(inputLabel({ key: 'price', label: 'Price' }, 'ru')).toBe('Price');
    expect(inputLabel({ key: 'price' }, 'ru')).toBe('price');
    expect(inputHelp({ key: 'price' }, 'ru')).toBe('');
  });
});
