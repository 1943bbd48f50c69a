import { describe, expect, it } from 'vitest';
import { expressionToRules, opWord, RULE_OPS, ruleSummary, rulesToExpression, type RuleRow } from './ruleText';

const row = (left: string, op: string, right = ''): RuleRow => ({ left, op, right });

describe('ruleSummary', () => {
  it.each([
    ['one answer field', [row('status', 'equals', 'success')], 'all', 'en', 'status = success'],
    ['the same in Russian', [row('status', 'equals', 'success')], 'all', 'ru', 'status = success'],
    ['a reference reads by its last name', [row('{{trigger.params.email}}', 'contains', 'gmail')], 'all', 'ru', 'email содержит gmail'],
    ['checks without a value', [row('error', 'is_empty')], 'all', 'ru', 'error пусто'],
    ['signs for comparisons', [row('{{trigger.params.sum | number}}', 'gte', '1000')], 'all', 'en', '{{trigger.params.sum | number}} ≥ 1000'],
    ['all joins with and', [row('success', 'equals', 'true'), row('result.success', 'equals', 'true')], 'all', 'ru', 'success = true и result.success = true'],
    ['any joins with or', [row('status', 'equals', 'success'), row('code', 'not_equals', 'error')], 'any', 'en', 'status = success or code ≠ error'],
    ['the HTTP status in words', [row('response.status', 'lt', '300')], 'all', 'ru', 'HTTP-статус < 300'],
    ['a reference on the right by its last name', [row('key', 'equals', '{{inputs.api_key}}')], 'all', 'en', 'key = api_key'],
    ['rows without a field are left out', [row('', 'equals', 'x')], 'all', 'en', ''],
  ])('%s', (_name, rules, match, lang, want) => {
    expect(ruleSummary(rules, match, lang)).toBe(want);
  });

  it('is empty without rules', () => {
    expect(ruleSummary(undefined, undefined, 'ru')).toBe('');
  });
});

describe('opWord', () => {
  it('names every check in both languages, never by its code', () => {
    for (const op of RULE_OPS) {
      for (const lang of ['en', 'ru']) {
        const w = opWord(op, lang);
        expect(w).not.toContain('_');
        if (lang === 'ru') expect(w).toMatch(/^[а-яё ]+$/);
      }
    }
    expect(opWord('equals', 'ru')).toBe('равно');
    expect(opWord('not_empty', 'ru')).toBe('не пусто');
    expect(opWord('gt', 'ru')).toBe('больше');
  });
});

describe('rules ⇄ expression', () => {
  it.each([
    ['CPA.House', [row('status', 'equals', 'success')], 'all', true, 'status == "success"'],
    ['GetCourse', [row('success', 'equals', 'true'), row('result.success', 'equals', 'true')], 'all', true, 'success == true && result.success == true'],
    ['an empty error', [row('error', 'is_empty')], 'all', true, '!error'],
    ['any', [row('code', 'equals', 'ok'), row('response.status', 'equals', '201')], 'any', true, 'code == "ok" || response.status == 201'],
    ['text checks', [row('msg', 'contains', 'ok'), row('msg', 'not_contains', 'fail'), row('msg', 'starts_with', 'O')], 'all', true,
      'String(msg).includes("ok") && !String(msg).includes("fail") && String(msg).startsWith("O")'],
    ['numbers', [row('balance', 'gte', '100'), row('balance', 'lt', '1000')], 'all', true, 'balance >= 100 && balance < 1000'],
    ['filter references', [row('{{trigger.params.email}}', 'not_empty'), row('{{trigger.params.city}}', 'equals', "O'Hara \"x\"")], 'all', false,
      '!!trigger.params.email && trigger.params.city == "O\'Hara \\"x\\""'],
    ['a setting on the right', [row('{{input.sum}}', 'gt', '{{inputs.min}}')], 'all', false, 'input.sum > inputs.min'],
  ])('%s', (_name, rules, match, answer, js) => {
    expect(rulesToExpression(rules, match, answer)).toBe(js);
    expect(expressionToRules(js, answer)).toEqual({ rules, match });
  });

  it('converts a regular expression one way (the pattern is kept)', () => {
    expect(rulesToExpression([row('phone', 'matches', '/^7/i')], 'all', true)).toBe('/^7/i.test(phone)');
    expect(rulesToExpression([row('phone', 'matches', '^7')], 'all', true)).toBe('new RegExp("^7").test(phone)');
  });

  it.each([
    ['mixed && and ||', 'a == 1 && b == 2 || c == 3'],
    ['a function call', 'response.body.indexOf("OK") == 0'],
    ['parentheses', '(status == "success")'],
    ['nothing', '  '],
  ])('keeps %s as an expression', (_name, js) => {
    expect(expressionToRules(js, true)).toBeNull();
  });

  it('reads single quotes, === and a trailing semicolon', () => {
    expect(expressionToRules("status === 'success';", true)).toEqual({ rules: [row('status', 'equals', 'success')], match: 'all' });
  });
});
