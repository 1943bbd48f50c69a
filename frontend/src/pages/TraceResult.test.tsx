// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import type { Trace } from '../api/types';
import { useLang } from '../i18n/i18n';
import '../test/jsdom';
import { TraceResult } from './TraceResult';

afterEach(cleanup);

const trace = { status: 'success', steps: [] } as unknown as Trace;

describe('TraceResult', () => {
  it('says a preview sent nothing and a run sent for real was sent, with the status in Russian', () => {
    useLang.setState({ lang: 'ru' });
    render(<TraceResult trace={trace} sent={false} />);
    expect(screen.getByTestId('trace-status').textContent).toBe('Результат проверки (ничего не отправлено): успешно');
    cleanup();
    render(<TraceResult trace={trace} sent />);
    expect(screen.getByTestId('trace-status').textContent).toBe('Отправлено по-настоящему: успешно');
  });
});
