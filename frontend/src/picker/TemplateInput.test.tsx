// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useState } from 'react';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLang } from '../i18n/i18n';
import '../test/jsdom';
import { doc, getcourse, kinds } from '../test/fixtures';
import { TemplateInput } from './TemplateInput';

function Field({ initial }: { initial: string }) {
  const [value, setValue] = useState(initial);
  return <TemplateInput id="f-url" nodeId="send" label="URL" value={value} onChange={setValue} />;
}

beforeEach(() => {
  useLang.setState({ lang: 'en' });
  useCatalog.setState({ kinds, presets: [getcourse], loaded: true, error: null });
  useFlowStore.getState().load(structuredClone(doc), 'f1', 'http://localhost/hook/t1');
  useFlowStore.getState().setTrace({ status: 'success', started_at: '2026-01-01T10:00:00Z', duration_ms: 1, steps: [
    { node: 'trigger', kind: 'webhook', status: 'success', duration_ms: 0, output: { params: { email: 'a@b.c' } } },
    { node: 'form', kind: 'form_encode', status: 'success', duration_ms: 0, output: { body: 'name=A' } },
    { node: 'script', kind: 'js', status: 'success', duration_ms: 0, output: { not: 'upstream of send' } },
  ] });
});
afterEach(cleanup);

describe('TemplateInput with the variable picker', () => {
  it('inserts the chosen reference at the cursor and puts the caret after it', () => {
    render(<Field initial="https://x/?e=&p=1" />);
    const input = screen.getByRole('textbox', { name: '' }) as HTMLInputElement;
    input.focus();
    input.setSelectionRange(13, 13); // after "?e="
    fireEvent.click(screen.getByTestId('picker-f-url'));
    const pop = screen.getByTestId('picker');
    fireEvent.click(within(pop).getByText('trigger.params.email'));
    expect(input.value).toBe('https://x/?e={{trigger.params.email}}&p=1');
    expect(document.activeElement).toBe(input);
    expect(input.selectionStart).toBe(13 + '{{trigger.params.email}}'.length);
    expect(screen.queryByTestId('picker')).toBeNull();
  });

  it('replaces a selection, searches, and offers only upstream steps', () => {
    render(<Field initial="Hello NAME!" />);
    const input = screen.getByDisplayValue('Hello NAME!') as HTMLInputElement;
    input.setSelectionRange(6, 10);
    fireEvent.click(screen.getByTestId('picker-f-url'));
    const pop = screen.getByTestId('picker');
    expect(within(pop).getByText('form.body')).toBeTruthy();
    expect(within(pop).queryByText('script.not')).toBeNull(); // script runs beside send, not before
    fireEvent.change(within(pop).getByRole('searchbox'), { target: { value: 'body' } });
    expect(within(pop).queryByText('trigger.params.email')).toBeNull();
    fireEvent.keyDown(within(pop).getByRole('searchbox'), { key: 'Enter' });
    expect(input.value).toBe('Hello {{form.body}}!');
  });

  it('closes on Escape and gives the focus back to its button', () => {
    render(<Field initial="" />);
    const button = screen.getByTestId('picker-f-url');
    fireEvent.click(button);
    fireEvent.keyDown(screen.getByRole('searchbox'), { key: 'Escape' });
    expect(screen.queryByTestId('picker')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(button.getAttribute('aria-label')).toContain('URL');
  });

  it('follows its button when the panel under it scrolls, and closes when the button scrolls out of view', () => {
    render(<Field initial="" />);
    const button = screen.getByTestId('picker-f-url');
    let top = 100;
    button.getBoundingClientRect = () => ({ top, bottom: top + 20, left: 600, right: 640, width: 40, height: 20, x: 600, y: top, toJSON: () => ({}) });
    fireEvent.click(button);
    fireEvent.scroll(screen.getByTestId('picker')); // its own list
    expect(screen.getByTestId('picker').style.top).toBe('122px');
    top = 50; // a scroll still ending as the button was clicked
    act(() => void document.body.dispatchEvent(new Event('scroll')));
    expect(screen.getByTestId('picker').style.top).toBe('72px');
    top = -40;
    act(() => void document.body.dispatchEvent(new Event('scroll')));
    expect(screen.queryByTestId('picker')).toBeNull();
  });

  it('moves through the references with the arrow keys', () => {
    render(<Field initial="" />);
    fireEvent.click(screen.getByTestId('picker-f-url'));
    const search = screen.getByRole('searchbox');
    fireEvent.keyDown(search, { key: 'ArrowDown' });
    const first = document.activeElement as HTMLElement;
    expect(first.dataset.ref).toBe('trigger.params.email');
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    expect((document.activeElement as HTMLElement).dataset.ref).toBe('trigger.params.phone');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(search);
  });
});
