// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { Sample } from '../api/types';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLang } from '../i18n/i18n';
import { useSampleOrigin } from '../engine/sampleOrigin';
import '../test/jsdom';
import { doc, getcourse, kinds } from '../test/fixtures';
import { SampleRequest } from './SampleRequest';

const s = useFlowStore.getState;
const generic = { id: 'generic', source: '', title: { en: 'Any service' }, method: 'ANY', params: [], guide: { en: [], ru: [] }, url_template: '', sample_query: '' };
const arrived: Sample = {
  event_id: 'e1', status: 'sample', received_at: '2026-12-01T05:30:00Z',
  payload: { method: 'GET', query: 'email=olga%40mail.ru&phone=%2B7+912+555-44-33&city=Kazan', event_id: 'e1' },
};

beforeEach(() => {
  useLang.setState({ lang: 'en' });
  useCatalog.setState({ kinds, presets: [getcourse, generic], loaded: true, error: null });
  useSampleOrigin.setState({ origin: null });
  const d = structuredClone(doc);
  d.nodes[0].config = { preset: 'generic' };
  s().load(d, 'f1', 'http://localhost:8080/hook/tok');
});
afterEach(cleanup);

describe('the sample request form', () => {
  it('choosing a preset fills the form with its example at once', () => {
    render(<SampleRequest />);
    expect(screen.queryByLabelText('Phone')).toBeNull();
    act(() => s().updateNode('trigger', { config: { preset: 'getcourse.user_created' } }));
    expect((screen.getByLabelText('Phone') as HTMLInputElement).value).toBe('+79161234567');
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('anna@mail.ru');
  });

  it('a captured request is offered with its time and becomes the sample; the example stays a choice', () => {
    act(() => s().updateNode('trigger', { config: { preset: 'getcourse.user_created' } }));
    render(<SampleRequest />);
    act(() => s().setSamples([arrived], []));
    const source = screen.getByLabelText('Test with') as HTMLSelectElement;
    expect(source.selectedOptions[0].textContent).toMatch(/^the latest request received, /);
    expect((screen.getByLabelText('Phone') as HTMLInputElement).value).toBe('+7 912 555-44-33');
    expect((screen.getByLabelText('city') as HTMLInputElement).value).toBe('Kazan');
    fireEvent.change(source, { target: { value: 'example' } });
    expect((screen.getByLabelText('Phone') as HTMLInputElement).value).toBe('+79161234567');
  });

  it('typing in a field changes the sample; the JSON stays available as an advanced switch', () => {
    act(() => s().updateNode('trigger', { config: { preset: 'getcourse.user_created' } }));
    render(<SampleRequest />);
    fireEvent.change(screen.getByLabelText('Phone'), { target: { value: '8 800' } });
    expect(new URLSearchParams(JSON.parse(s().payload).query).get('phone')).toBe('8 800');
    expect(screen.queryByLabelText('Sample request (JSON)')).toBeNull();
    fireEvent.click(screen.getByTestId('sample-raw-toggle'));
    expect((screen.getByLabelText('Sample request (JSON)') as HTMLTextAreaElement).value).toContain('8+800');
  });
});
