// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/react';
import type { FlowView, Preset } from '../../api/types';
import { mayLeave } from '../../router';
import { offerStart } from '../EditorPage';
import { flowAddress } from './readyAddress';
import { useLeaveGuard } from './useLeaveGuard';

afterEach(cleanup);

function Guarded({ dirty }: { dirty: boolean }) {
  useLeaveGuard(dirty, 'Leave without saving?');
  return null;
}

const unload = () => {
  const e = new Event('beforeunload', { cancelable: true }) as BeforeUnloadEvent;
  window.dispatchEvent(e);
  return e;
};

describe('the editor asks before its unsaved changes are lost', () => {
  it('with unsaved changes: closing the tab and leaving by the router both ask; once saved, neither does', () => {
    const asked: string[] = [];
    const confirm = (q: string) => (asked.push(q), false);
    const { rerender } = render(<Guarded dirty />);
    expect(unload().defaultPrevented).toBe(true);
    expect(mayLeave({ page: 'editor', id: 'f1' }, { page: 'flows' }, confirm)).toBe(false);
    expect(asked).toEqual(['Leave without saving?']);

    rerender(<Guarded dirty={false} />);
    expect(unload().defaultPrevented).toBe(false);
    expect(mayLeave({ page: 'editor', id: 'f1' }, { page: 'flows' }, confirm)).toBe(true);
    expect(asked).toHaveLength(1);
  });

  it('leaving the page removes its guard', () => {
    const { unmount } = render(<Guarded dirty />);
    unmount();
    expect(unload().defaultPrevented).toBe(false);
    expect(mayLeave({ page: 'editor', id: 'f1' }, { page: 'flows' }, () => false)).toBe(true);
  });
});

describe('starting a flow', () => {
  const view = (extra: Partial<FlowView>) => ({ active: false, ...extra }) as FlowView;
  it('Save offers to start only a stopped flow that never ran and can start', () => {
    expect(offerStart(view({}))).toBe(true);
    expect(offerStart(view({ problems: [{ code: 'node.url_empty', node: 'send', field: 'url', message: 'URL is empty' }] }))).toBe(false);
    expect(offerStart(view({ active: true }))).toBe(false);
    expect(offerStart(view({ last_run_at: '2026-12-01T05:00:00Z' }))).toBe(false);
  });

  it("the address to copy carries the trigger preset's parameter string", () => {
    const presets: Preset[] = [{ id: 'getcourse.user_created', source: 'GetCourse', title: { en: '', ru: '' }, method: 'GET', guide: { en: [], ru: [] },
      params: [{ key: 'email', variable: '{object.email}', label: { en: 'Email' } }, { key: 'phone', variable: '{object.phone}', label: { en: 'Phone' } },
        { key: 'note', label: { en: 'Note' } }],
      url_template: '?email={object.email}&phone={object.phone}', sample_query: 'email=&phone=&note=' }];
    const doc = { nodes: [{ id: 'trigger', kind: 'webhook', config: { preset: 'getcourse.user_created' } }] };
    expect(flowAddress('http://h/hook/t1', doc, presets)).toBe('http://h/hook/t1?email={object.email}&phone={object.phone}');
    expect(flowAddress('http://h/hook/t1', { nodes: [] }, presets)).toBe('http://h/hook/t1');
  });
});
