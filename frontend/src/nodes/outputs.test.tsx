// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/react';
import { ReactFlowProvider } from '@xyflow/react';
import { freeOutput, outputLabel, outputsOf, OutputHandles } from './outputs';
import { useCatalog } from '../store/catalog';
import { kinds } from '../test/fixtures';

describe("a step's outputs come from its kind", () => {
  it('a plain kind has none, always the same empty list (a store selector must be stable)', () => {
    expect(outputsOf('http', kinds)).toEqual([]);
    expect(outputsOf('http', kinds)).toBe(outputsOf('js', kinds));
  });

  it('a branching kind lists its outputs, labelled in the reader language', () => {
    expect(outputsOf('filter', kinds).map((o) => o.name)).toEqual(['true', 'false']);
    expect(outputLabel('filter', 'false', 'ru', kinds)).toBe('нет');
    expect(outputLabel('filter', 'true', 'en', kinds)).toBe('yes');
    expect(outputLabel('http', null, 'ru', kinds)).toBe('');
  });

  it('a new line takes the first output still free', () => {
    expect(freeOutput('filter', new Set(), kinds)).toBe('true');
    expect(freeOutput('filter', new Set(['true']), kinds)).toBe('false');
    expect(freeOutput('filter', new Set(['true', 'false']), kinds)).toBe('true');
    expect(freeOutput('http', new Set(), kinds)).toBeNull();
  });

  it('draws one handle per output, and renders once for a plain kind', () => {
    useCatalog.setState({ kinds });
    const branching = render(<ReactFlowProvider><OutputHandles kind="filter" lang="ru" /></ReactFlowProvider>);
    expect(branching.container.querySelectorAll('.react-flow__handle').length).toBe(2);
    expect(branching.container.textContent).toBe('данет');
    const plain = render(<ReactFlowProvider><OutputHandles kind="http" lang="ru" /></ReactFlowProvider>);
    expect(plain.container.querySelectorAll('.react-flow__handle').length).toBe(1);
  });
});
