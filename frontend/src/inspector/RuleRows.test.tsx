// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { Field, KindInfo } from '../api/types';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLang } from '../i18n/i18n';
import '../test/jsdom';
import { doc, getcourse, kinds } from '../test/fixtures';
import { Inspector } from './Inspector';

const s = useFlowStore.getState;

// The http kind with its success rule as the engine declares it: rows, "all/any" and the expression.
const ruleColumns = (template: boolean): Field[] => [
  { key: 'left', type: 'string', label: { en: 'Field of the answer' }, required: true, template },
  { key: 'op', type: 'select', label: { en: 'Check' }, options: ['equals', 'not_equals', 'is_empty', 'not_empty'], option_labels: {
    equals: { en: 'equals', ru: 'равно' }, not_equals: { en: 'does not equal', ru: 'не равно' },
    is_empty: { en: 'is empty', ru: 'пусто' }, not_empty: { en: 'is not empty', ru: 'не пусто' } } },
  { key: 'right', type: 'string', label: { en: 'Compare with' }, template: true },
];
const http: KindInfo = {
  kind: 'http', title: { en: 'HTTP request' }, help: { en: '' }, schema: { type: 'object' }, fields: [
    { key: 'url', type: 'string', label: { en: 'URL' }, required: true, template: true },
    { key: 'success', type: 'object', label: { en: 'Success rule' }, fields: [
      { key: 'match', type: 'select', label: { en: 'Success when' }, options: ['all', 'any'], default: 'all' },
      { key: 'rules', type: 'rules', label: { en: 'Rules of success' }, match: 'match', expression: 'condition',
        options: ['equals', 'not_equals', 'is_empty', 'not_empty'], fields: ruleColumns(false) },
      { key: 'condition', type: 'code', label: { en: 'Condition' } },
    ] },
    { key: 'sample_response', type: 'object', label: { en: 'Sample answer' }, fields: [{ key: 'body', type: 'code', label: { en: 'Body' } }] },
  ],
};

function sendConfig() {
  return s().nodes.find((n) => n.id === 'send')!.data.config as { success: Record<string, unknown> };
}

beforeEach(() => {
  useLang.setState({ lang: 'ru' });
  useCatalog.setState({ kinds: [...kinds.filter((k) => k.kind !== 'http'), http], presets: [getcourse], loaded: true, error: null });
  const d = structuredClone(doc);
  d.nodes[2].config = { url: 'https://api.example/send', success: { condition: 'status == "ok"' }, sample_response: { body: '{"status":"ok","id":7}' } };
  s().load(d, null, 'http://localhost/hook/t1');
  s().select('send');
});
afterEach(cleanup);

describe('rule rows in the inspector', () => {
  it('opens a flow with an expression in advanced mode and turns it into rows in one undo step', async () => {
    render(<Inspector />);
    expect(await screen.findByTestId('code-success.condition')).toBeTruthy();
    expect(screen.queryByTestId('rules-success.rules-row-0')).toBeNull();
    const undoBefore = s().past.length;
    fireEvent.click(screen.getByTestId('rules-success.rules-advanced'));
    expect(sendConfig().success).toEqual({ condition: '', match: 'all', rules: [{ left: 'status', op: 'equals', right: 'ok' }] });
    expect((screen.getByTestId('rules-success.rules-field-0') as HTMLSelectElement).value).toBe('status');
    expect((screen.getByTestId('rules-success.rules-op-0') as HTMLSelectElement).selectedOptions[0].textContent).toBe('равно');
    expect(s().past.length).toBe(undoBefore + 1);
    act(() => s().undo());
    expect(sendConfig().success).toEqual({ condition: 'status == "ok"' });
  });

  it('builds a rule from menus: the field from the sample answer brings its value; a check without a value hides it', () => {
    act(() => s().updateNode('send', { config: { ...s().nodes.find((n) => n.id === 'send')!.data.config, success: {} } }));
    render(<Inspector />);
    fireEvent.click(screen.getByTestId('rules-success.rules-add'));
    const field = screen.getByTestId('rules-success.rules-field-0') as HTMLSelectElement;
    expect([...field.options].map((o) => o.textContent)).toEqual(
      ['Выберите поле…', 'status — ok', 'id — 7', 'HTTP-статус ответа', 'Весь текст ответа', 'Ввести другое название…']);
    fireEvent.change(field, { target: { value: 'status' } });
    expect(sendConfig().success.rules).toEqual([{ left: 'status', op: 'equals', right: 'ok' }]);
    // a value may be a reference, chosen with the picker
    fireEvent.click(screen.getByTestId('picker-rules-success.rules-value-0'));
    fireEvent.click(document.querySelector('button[data-ref="trigger.params.email"]')!);
    expect(sendConfig().success.rules).toEqual([{ left: 'status', op: 'equals', right: 'ok{{trigger.params.email}}' }]);
    fireEvent.change(screen.getByTestId('rules-success.rules-op-0'), { target: { value: 'not_empty' } });
    expect(screen.queryByTestId('rules-success.rules-value-0')).toBeNull();
    expect(sendConfig().success.rules).toEqual([{ left: 'status', op: 'not_empty', right: '' }]);
    fireEvent.change(screen.getByTestId('rules-success.rules-match'), { target: { value: 'any' } });
    expect(sendConfig().success.match).toBe('any');
    // a name not in the list can be typed
    fireEvent.change(field, { target: { value: '\u0000other' } });
    fireEvent.change(screen.getByTestId('rules-success.rules-field-0'), { target: { value: 'result.code' } });
    expect((sendConfig().success.rules as { left: string }[])[0].left).toBe('result.code');
  });

  it('keeps an expression rows cannot say, and offers to clear it', () => {
    act(() => s().updateNode('send', { config: { ...s().nodes.find((n) => n.id === 'send')!.data.config, success: { condition: 'response.body.indexOf("OK") == 0' } } }));
    render(<Inspector />);
    fireEvent.click(screen.getByTestId('rules-success.rules-advanced'));
    expect(screen.getByRole('status').textContent).toContain('сложнее');
    expect(sendConfig().success.condition).toBe('response.body.indexOf("OK") == 0');
    fireEvent.click(screen.getByRole('button', { name: 'Очистить его и собрать правила' }));
    expect(sendConfig().success).toEqual({ condition: '', match: 'all', rules: [{ left: '', op: 'equals', right: '' }] });
  });
});
