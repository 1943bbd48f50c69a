import { describe, expect, it } from 'vitest';
import { branchText } from './branch';

describe('the branch a step took', () => {
  it('says a condition held or did not, in the user language', () => {
    expect(branchText('true', 'ru')).toBe('условие выполнено');
    expect(branchText('false', 'ru')).toBe('условие не выполнено');
    expect(branchText('true', 'en')).toBe('condition holds');
  });
  it('keeps a branch name of the flow as it is', () => {
    expect(branchText('vip', 'ru')).toBe('vip');
  });
});
