import { describe, expect, it } from 'vitest';
import type { Field } from '../api/types';
import { formModel } from './formModel';
import { answerFields, asRules, chooseField, chooseOp, referenceFields, toExpression, toRows } from './ruleModel';

const words = { status: 'HTTP status', body: 'Whole text' };

describe('answerFields', () => {
  it("lists the sample answer's fields with their values, then the HTTP status and the text", () => {
    const fields = answerFields('{"status":"success","id":"1001","result":{"success":true}}', undefined, words);
    expect(fields.map((f) => [f.value, f.example])).toEqual([
      ['status', 'success'], ['id', '1001'], ['result.success', 'true'], ['response.status', ''], ['response.body', ''],
    ]);
    expect(fields[3].text).toBe('HTTP status');
  });

  it("adds the fields of the last Test's answer without repeating the sample's", () => {
    const fields = answerFields('{"status":"success"}', { status: 200, body: '', json: { status: 'error', msg: 'Неверный ключ' } }, words);
    expect(fields.map((f) => f.value)).toEqual(['status', 'msg', 'response.status', 'response.body']);
  });

  it('still offers the HTTP status and the text without a JSON sample', () => {
    expect(answerFields('OK 15', undefined, words).map((f) => f.value)).toEqual(['response.status', 'response.body']);
    expect(answerFields(undefined, undefined, words)).toHaveLength(2);
  });
});

describe('referenceFields', () => {
  it("offers the picker's references as {{…}} with their labels", () => {
    const fields = referenceFields([{ id: 'trigger', node: 'hook', title: '', refs: [{ path: 'trigger.params.email', label: 'Email', example: 'a@b.ru' }] }]);
    expect(fields).toEqual([{ value: '{{trigger.params.email}}', text: 'Email (trigger.params.email)', example: 'a@b.ru' }]);
  });
});

describe('editing rows', () => {
  const rows = [{ left: '', op: 'equals', right: '' }];
  const status = { value: 'status', text: 'status', example: 'success' };

  it("choosing a field of a success rule takes the sample's value when the value is empty", () => {
    expect(chooseField(rows, 0, status, true)).toEqual([{ left: 'status', op: 'equals', right: 'success' }]);
  });

  it('keeps a value already written, and fills nothing for a filter', () => {
    expect(chooseField([{ left: '', op: 'equals', right: 'ok' }], 0, status, true)[0].right).toBe('ok');
    expect(chooseField(rows, 0, status, false)[0].right).toBe('');
  });

  it('a check without a value drops the value', () => {
    expect(chooseOp([{ left: 'error', op: 'equals', right: 'x' }], 0, 'is_empty')).toEqual([{ left: 'error', op: 'is_empty', right: '' }]);
  });

  it('reads rows from any config value', () => {
    expect(asRules(undefined)).toEqual([]);
    expect(asRules([{ left: 'a', op: 'gt', right: 5 }, null])).toEqual([{ left: 'a', op: 'gt', right: '5' }, { left: '', op: 'equals', right: '' }]);
  });
});

describe('switching between rows and the expression', () => {
  it('turns rows into the expression and clears them', () => {
    expect(toExpression([{ left: 'status', op: 'equals', right: 'success' }], 'all', '', true)).toEqual({ rules: [], expression: 'status == "success"' });
  });

  it('reads a simple expression back as rows', () => {
    expect(toRows('code == "ok" || !error', true)).toEqual({
      rules: [{ left: 'code', op: 'equals', right: 'ok' }, { left: 'error', op: 'is_empty', right: '' }], match: 'any', expression: '',
    });
  });

  it('refuses an expression rows cannot say, and starts an empty one with a blank row', () => {
    expect(toRows('response.body.indexOf("OK") == 0', true)).toBeNull();
    expect(toRows('', true)).toEqual({ rules: [{ left: '', op: 'equals', right: '' }], match: 'all', expression: '' });
  });
});

describe('formModel with a rules field', () => {
  const fields: Field[] = [
    { key: 'match', type: 'select', label: { en: 'Pass when' }, options: ['all', 'any'], default: 'all' },
    {
      key: 'rules', type: 'rules', label: { en: 'Rules' }, match: 'match', expression: 'expression', options: ['equals', 'is_empty'],
      fields: [
        { key: 'left', type: 'string', label: { en: 'Value' }, template: true },
        { key: 'op', type: 'select', label: { en: 'Check' }, options: ['equals', 'is_empty'] },
        { key: 'right', type: 'string', label: { en: 'Compare with' } },
      ],
    },
    { key: 'expression', type: 'code', label: { en: 'Expression' } },
  ];

  it('draws the select and the expression inside the rules editor, not on their own', () => {
    const m = formModel(fields, { match: 'any', rules: [{ left: '{{trigger.params.a}}', op: 'is_empty' }] });
    expect(m.map((i) => [i.key, i.control, !!i.partOfRules])).toEqual([['match', 'select', true], ['rules', 'rules', false], ['expression', 'code', true]]);
    const rules = m[1];
    expect(rules.match?.value).toBe('any');
    expect(rules.expression?.path).toBe('expression');
    expect(rules.options).toEqual(['equals', 'is_empty']);
    expect(rules.rows).toHaveLength(1);
    expect(rules.columns?.[0].template).toBe(true);
  });

  it('keeps the paths of a nested rule (the HTTP success rule)', () => {
    const m = formModel([{ key: 'success', type: 'object', label: { en: 'Success' }, fields }], { success: {} });
    const rules = m[0].children![1];
    expect([rules.path, rules.match?.path, rules.expression?.path, rules.value]).toEqual(['success.rules', 'success.match', 'success.expression', []]);
  });
});
