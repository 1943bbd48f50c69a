import { describe, expect, it } from 'vitest';
import { expressionToRules, rulesToExpression, type RuleRow } from './ruleText';

const row = (left: string, op: string, right = ''): RuleRow => ({ left, op, right });

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
