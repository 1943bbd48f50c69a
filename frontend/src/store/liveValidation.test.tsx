// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/react';
import type { FlowDocument } from '../api/types';
import { useLang } from '../i18n/i18n';
import { useFlowStore } from './flowStore';
import { useLiveValidation, VALIDATE_DELAY_MS, type ValidateFn } from './validation';

const s = useFlowStore.getState;
const flow: FlowDocument = { schema: 1, name: 'f', nodes: [{ id: 'trigger', kind: 'webhook', config: {} }], edges: [] };

beforeEach(() => {
  vi.useFakeTimers();
  useLang.setState({ lang: 'en' });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('useLiveValidation', () => {
  it('puts the engine problems of the edited flow into the store, keeping what only the server knows', async () => {
    const seen: { nodes: string[]; lang: string }[] = [];
    const validate: ValidateFn = async (doc, lang) => {
      seen.push({ nodes: doc.nodes.map((n) => n.id), lang });
      return { problems: doc.nodes.filter((n) => n.kind === 'http').map((n) => ({ code: 'node.url_empty', node: n.id, field: 'url', message: 'URL is empty' })) };
    };
    s().load(structuredClone(flow), 'f1');
    s().setProblems([{ code: 'flow.input_missing', field: 'inputs.api_key', message: 'API key is not filled in' }]);
    renderHook(() => useLiveValidation(validate));
    await act(() => vi.advanceTimersByTimeAsync(VALIDATE_DELAY_MS));
    expect(seen).toEqual([{ nodes: ['trigger'], lang: 'en' }]);

    act(() => void s().addNode('http', { x: 0, y: 100 }));
    await act(() => vi.advanceTimersByTimeAsync(VALIDATE_DELAY_MS));
    expect(s().problems.map((p) => `${p.node ?? ''}:${p.code}`)).toEqual([':flow.input_missing', 'http1:node.url_empty']);

    act(() => useLang.getState().setLang('ru'));
    await act(() => vi.advanceTimersByTimeAsync(VALIDATE_DELAY_MS));
    expect(seen.at(-1)).toEqual({ nodes: ['trigger', 'http1'], lang: 'ru' });
  });
});
