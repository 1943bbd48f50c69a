// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLang } from '../i18n/i18n';
import { usePointing } from '../picker/pointing';
import '../test/jsdom';
import { doc, getcourse, kinds } from '../test/fixtures';
import { Inspector } from './Inspector';

const s = useFlowStore.getState;
const rows = () => s().nodes.find((n) => n.id === 'form')!.data.config.fields as { key: string; value: string }[];

function paste(el: HTMLElement, text: string) {
  const ev = new Event('paste', { bubbles: true, cancelable: true }) as Event & { clipboardData: unknown };
  ev.clipboardData = { getData: (type: string) => (type === 'text/plain' ? text : '') };
  act(() => void el.dispatchEvent(ev));
  return ev.defaultPrevented;
}

beforeEach(() => {
  useLang.setState({ lang: 'en' });
  useCatalog.setState({ kinds, presets: [getcourse], loaded: true, error: null });
  s().load(structuredClone(doc), null, 'http://localhost/hook/t1');
  usePointing.setState({ field: null });
  s().select('form');
});
afterEach(cleanup);

describe('mapping by pointing', () => {
  it('inserts a clicked value of the step input into the field focused last, at its caret', () => {
    act(() => s().setTrace({ status: 'success', started_at: '2026-01-01T10:00:00Z', duration_ms: 1, steps: [
      { node: 'trigger', kind: 'webhook', status: 'success', duration_ms: 0, output: { params: { phone: '+7 916' }, query: { phone: '+7 916' } } },
      { node: 'form', kind: 'form_encode', status: 'success', duration_ms: 0,
        input: { params: { phone: '+7 916' }, query: { phone: '+7 916' } }, output: { body: 'name=Hi' } },
    ] }));
    render(<Inspector />);
    const input = screen.getByTestId('step-input');
    // no field focused yet: values are text, and the hint says what to do
    expect(within(input).queryAllByRole('button')).toHaveLength(0);
    expect(screen.getByTestId('pointing-hint').textContent).toMatch(/Click a field/);

    const field = document.getElementById('fields-0-value') as HTMLInputElement; // "Hi "
    act(() => field.focus());
    field.setSelectionRange(3, 3);
    act(() => field.blur()); // the focus may go elsewhere; the field stays the target
    expect(screen.getByTestId('pointing-hint').textContent).toBe('Click a value to insert it into “name”.');
    const values = within(input).getAllByRole('button', { name: '+7 916' });
    // the same phone under query is referred to by params, as the picker does
    expect(values.map((b) => b.dataset.ref)).toEqual(['{{trigger.params.phone}}', '{{trigger.params.phone}}']);
    fireEvent.click(values[1]);
    expect(rows()[0].value).toBe('Hi {{trigger.params.phone}}');
    // the step's own output cannot be used in its own fields: not clickable
    expect(within(screen.getByTestId('step-output')).queryAllByRole('button')).toHaveLength(0);
  });

  it("names the step the input comes from by its title, never by an id like 'trigger'", () => {
    act(() => s().setTrace({ status: 'success', started_at: '2026-01-01T10:00:00Z', duration_ms: 1, steps: [
      { node: 'trigger', kind: 'webhook', status: 'success', duration_ms: 0, output: { params: { phone: '+7 916' } } },
      { node: 'form', kind: 'form_encode', status: 'success', duration_ms: 0, input: { params: { phone: '+7 916' } }, output: { body: '' } },
    ] }));
    act(() => s().updateNode('trigger', { name: '' })); // no name given: the title says what it is
    render(<Inspector />);
    const heading = screen.getByText(/^Input \(from/).textContent ?? '';
    expect(heading).not.toContain('“trigger”');
    expect(heading).toMatch(/Input \(from “.+”\)/);
  });

  it('offers the results of steps further back, closed, with their own references', () => {
    act(() => s().setTrace({ status: 'success', started_at: '2026-01-01T10:00:00Z', duration_ms: 1, steps: [
      { node: 'trigger', kind: 'webhook', status: 'success', duration_ms: 0, output: { params: { email: 'a@b.c' } } },
      { node: 'form', kind: 'form_encode', status: 'success', duration_ms: 0, input: { params: { email: 'a@b.c' } }, output: { body: 'name=Hi' } },
      { node: 'send', kind: 'http', status: 'success', duration_ms: 0, input: { body: 'name=Hi' }, output: { status: 200, json: { id: '7' } } },
    ] }));
    act(() => s().select('send'));
    render(<Inspector />);
    act(() => (document.getElementById('f-url') as HTMLInputElement).focus());
    expect(within(screen.getByTestId('step-input')).getByRole('button', { name: 'name=Hi' }).dataset.ref).toBe('{{form.body}}');
    const earlier = screen.getByTestId('earlier-trigger');
    expect(earlier.hasAttribute('open')).toBe(false);
    fireEvent.click(within(earlier).getByRole('button', { name: 'a@b.c' }));
    expect(s().nodes.find((n) => n.id === 'send')!.data.config.url).toBe('https://api.example/send{{trigger.params.email}}');
    expect(screen.queryByTestId('earlier-form')).toBeNull(); // it is the input already
    expect(screen.queryByTestId('earlier-script')).toBeNull(); // not before this step
  });

  it('inserts a clicked value into a templated code field (the body) at its cursor', async () => {
    act(() => s().setTrace({ status: 'success', started_at: '2026-01-01T10:00:00Z', duration_ms: 1, steps: [
      { node: 'trigger', kind: 'webhook', status: 'success', duration_ms: 0, output: { params: { phone: '+7 916' } } },
      { node: 'form', kind: 'form_encode', status: 'success', duration_ms: 0, output: { body: 'name=Hi' } },
      { node: 'send', kind: 'http', status: 'success', duration_ms: 0, input: { body: 'name=Hi' }, output: { status: 200 } },
    ] }));
    act(() => s().select('send'));
    render(<Inspector />);
    const host = await screen.findByTestId('code-body');
    const content = host.querySelector('.cm-content') as HTMLElement;
    act(() => content.focus());
    expect(screen.getByTestId('pointing-hint').textContent).toBe('Click a value to insert it into “Body text”.');
    fireEvent.click(within(screen.getByTestId('earlier-trigger')).getByRole('button', { name: '+7 916' }));
    expect(s().nodes.find((n) => n.id === 'send')!.data.config.body).toBe('{{trigger.params.phone}}');
    // and cleaned up from its menu like any templated field
    fireEvent.change(screen.getByTestId('cleanup-f-body'), { target: { value: 'digits' } });
    expect(s().nodes.find((n) => n.id === 'send')!.data.config.body).toBe('{{trigger.params.phone | digits}}');
  });

  it('offers the captured request’s fields before a Test', () => {
    act(() => s().setSamples([], [{ key: 'city', example: 'Kazan', seen: 1 }]));
    render(<Inspector />);
    act(() => (document.getElementById('fields-1-value') as HTMLInputElement).focus());
    fireEvent.click(within(screen.getByTestId('captured-values')).getByRole('button', { name: 'Kazan' }));
    expect(rows()[1].value).toBe('{{trigger.params.city}}');
  });

  it('writes a clean-up from the menu into the field’s reference and asks for a default value', () => {
    act(() => s().updateNode('form', { config: { fields: [{ key: 'phone', value: '{{trigger.params.phone}}' }] } }));
    render(<Inspector />);
    fireEvent.change(screen.getByTestId('cleanup-fields-0-value'), { target: { value: 'digits' } });
    expect(rows()[0].value).toBe('{{trigger.params.phone | digits}}');
    fireEvent.change(screen.getByTestId('cleanup-fields-0-value'), { target: { value: 'default' } });
    const ask = screen.getByTestId('cleanup-ask-fields-0-value');
    fireEvent.change(within(ask).getByRole('textbox'), { target: { value: '0' } });
    fireEvent.keyDown(within(ask).getByRole('textbox'), { key: 'Enter' });
    expect(rows()[0].value).toBe('{{trigger.params.phone | digits | default:"0"}}');
    // a field without a reference has nothing to clean up
    act(() => s().updateNode('form', { config: { fields: [{ key: 'x', value: 'text' }] } }));
    expect((screen.getByTestId('cleanup-fields-0-value') as HTMLSelectElement).disabled).toBe(true);
  });
});

describe('in Russian', () => {
  it('names the preset’s fields beside their keys and speaks no English in the hint, the menus and the paste box', () => {
    useLang.setState({ lang: 'ru' });
    useCatalog.setState({ presets: [{ ...getcourse, params: getcourse.params.map((p) => ({ ...p, label: { en: 'Phone', ru: 'Телефон' } })) }] });
    act(() => s().setTrace({ status: 'success', started_at: '2026-01-01T10:00:00Z', duration_ms: 1, steps: [
      { node: 'trigger', kind: 'webhook', status: 'success', duration_ms: 0, output: { params: { phone: '+7 916' } } },
      { node: 'form', kind: 'form_encode', status: 'success', duration_ms: 0, input: { params: { phone: '+7 916' } }, output: { body: '' } },
    ] }));
    act(() => s().updateNode('form', { config: { fields: [{ key: 'phone', value: '{{trigger.params.phone}}' }] } }));
    render(<Inspector />);
    act(() => (document.getElementById('fields-0-value') as HTMLInputElement).focus());
    expect(screen.getByTestId('step-input').textContent).toContain('phone (Телефон): +7 916');
    fireEvent.click(screen.getByTestId('paste-open-fields'));
    const texts = [
      screen.getByTestId('pointing-hint').textContent,
      ...[...screen.getByTestId('cleanup-fields-0-value').querySelectorAll('option, optgroup')].map((o) => o.textContent || o.getAttribute('label')),
      screen.getByTestId('cleanup-fields-0-value').getAttribute('aria-label'),
      screen.getByTestId('paste-open-fields').textContent,
      document.querySelector('.paste-rows')!.textContent,
    ];
    // the field's own name (the row's key, the user's word) is quoted in «…»
    for (const text of texts) expect(String(text).replace(/«[^»]*»/g, ''), String(text)).not.toMatch(/[A-Za-z]{2,}/);
  });
});

describe('the picker', () => {
  it('lists a value by its label with its sample, and inserts it cleaned up from its row’s menu', () => {
    render(<Inspector />);
    const field = document.getElementById('fields-0-value') as HTMLInputElement;
    act(() => field.focus());
    field.setSelectionRange(3, 3);
    fireEvent.click(screen.getByTestId('picker-fields-0-value'));
    const row = screen.getByTestId('picker').querySelector('button[data-ref="trigger.params.phone"]') as HTMLElement;
    expect(row.textContent).toBe('Phone e.g. +79161234567trigger.params.phone');
    fireEvent.change(screen.getByTestId('cleanup-ref-trigger.params.phone'), { target: { value: 'date:DD.MM.YYYY' } });
    expect(rows()[0].value).toBe('Hi {{trigger.params.phone | date:"DD.MM.YYYY"}}');
    expect(screen.queryByTestId('picker')).toBeNull();
    // a value when empty is asked for first
    fireEvent.click(screen.getByTestId('picker-fields-0-value'));
    fireEvent.change(screen.getByTestId('cleanup-ref-trigger.params.email'), { target: { value: 'default' } });
    const ask = screen.getByTestId('cleanup-ask-ref-trigger.params.email');
    fireEvent.change(within(ask).getByRole('textbox'), { target: { value: 'нет' } });
    fireEvent.click(within(ask).getByRole('button'));
    expect(rows()[0].value).toMatch(/\{\{trigger\.params\.email \| default:"нет"\}\}/);
  });
});

describe('pasting parameters into a table', () => {
  it('turns a parameter string pasted into an empty key cell into rows, the preset’s variables into references', () => {
    render(<Inspector />);
    const key = document.getElementById('fields-1-key') as HTMLInputElement; // the empty second row
    expect(paste(key, 'phone={object.phone}&city={object.city}&id_offer=12')).toBe(true);
    expect(rows()).toEqual([
      { key: 'name', value: 'Hi ' },
      { key: 'phone', value: '{{trigger.params.phone}}' },
      { key: 'city', value: '{object.city}' },
      { key: 'id_offer', value: '12' },
    ]);
    expect(screen.getByTestId('paste-note-fields').textContent).toBe('3 rows added from the paste.');
    // plain text is pasted as text by the browser
    expect(paste(key, 'phone')).toBe(false);
  });

  it('adds rows from the "Paste parameters" box and says what it could not read', () => {
    render(<Inspector />);
    fireEvent.click(screen.getByTestId('paste-open-fields'));
    fireEvent.change(screen.getByTestId('paste-text-fields'), { target: { value: 'just words' } });
    fireEvent.click(screen.getByTestId('paste-add-fields'));
    expect(screen.getByText(/No “name=value” found here/)).toBeTruthy();
    fireEvent.change(screen.getByTestId('paste-text-fields'), { target: { value: 'email: {object.email}\nnot a pair' } });
    fireEvent.click(screen.getByTestId('paste-add-fields'));
    expect(rows()).toEqual([{ key: 'name', value: 'Hi ' }, { key: 'email', value: '{{trigger.params.email}}' }]);
    expect(screen.getByTestId('paste-note-fields').textContent).toMatch(/1 row added.*Not read.*not a pair/);
    expect(screen.queryByTestId('paste-text-fields')).toBeNull();
  });
});
