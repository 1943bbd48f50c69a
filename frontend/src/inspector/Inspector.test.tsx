// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { EditorView } from '@codemirror/view';
import { syntaxTree } from '@codemirror/language';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLang } from '../i18n/i18n';
import { NodeProblems } from '../nodes/HookNodeView';
import '../test/jsdom';
import { doc, getcourse, kinds } from '../test/fixtures';
import { Inspector } from './Inspector';

const s = useFlowStore.getState;

function editorOf(testId: string): EditorView {
  const host = screen.getByTestId(testId);
  const view = EditorView.findFromDOM(host.querySelector('.cm-editor') as HTMLElement);
  if (!view) throw new Error(`no CodeMirror in ${testId}`);
  return view;
}

beforeEach(() => {
  useLang.setState({ lang: 'en' });
  useCatalog.setState({ kinds, presets: [getcourse], loaded: true, error: null });
  // no flow id: the inspector does not ask a server for samples
  s().load(structuredClone(doc), null, 'http://localhost/hook/t1');
});
afterEach(cleanup);

describe('code fields', () => {
  it('edit the js script in CodeMirror with JavaScript highlighting, labelled for screen readers', async () => {
    s().select('script');
    render(<Inspector />);
    const host = await screen.findByTestId('code-code');
    const content = host.querySelector('.cm-content') as HTMLElement;
    expect(content.getAttribute('aria-label')).toBe('Code');
    expect(content.getAttribute('contenteditable')).toBe('true');
    expect(host.querySelector('.cm-editor')).not.toBeNull();
    expect(host.textContent).toContain('return input');
    const view = editorOf('code-code');
    expect(syntaxTree(view.state).topNode.name).toBe('Script'); // parsed as JavaScript
    act(() => view.dispatch({ changes: { from: view.state.doc.length, insert: '.phone' } }));
    expect(s().nodes.find((n) => n.id === 'script')!.data.config.code).toBe('return input.phone');
    // an undo in the store reaches the editor
    let edits = 0;
    const unsubscribe = useFlowStore.subscribe((now, before) => void (now.nodes !== before.nodes && edits++));
    act(() => s().undo());
    unsubscribe();
    expect(view.state.doc.toString()).toBe('return input');
    expect(edits).toBe(1); // the undo itself; the editor did not echo it back as an edit
    // …without the editor reporting that back as a new edit: redo still works
    act(() => s().redo());
    expect(view.state.doc.toString()).toBe('return input.phone');
    expect(s().nodes.find((n) => n.id === 'script')!.data.config.code).toBe('return input.phone');
  });

  it('give a templated body the picker, inserting at the editor cursor, and keep the condition a JS editor', async () => {
    s().select('send');
    render(<Inspector />);
    expect((await screen.findByTestId('code-success.condition')).textContent).toContain('status == "ok"');
    expect(screen.queryByTestId('picker-f-success.condition')).toBeNull();
    const body = editorOf('code-body');
    expect(syntaxTree(body.state).topNode.name).not.toBe('Script'); // a template is not JavaScript
    expect(syntaxTree(editorOf('code-success.condition').state).topNode.name).toBe('Script');
    act(() => body.dispatch({ changes: { from: 0, insert: '{"name": }' }, selection: { anchor: 9 } }));
    fireEvent.click(screen.getByTestId('picker-f-body'));
    fireEvent.click(within(screen.getByTestId('picker')).getByText('trigger.params.phone'));
    expect(s().nodes.find((n) => n.id === 'send')!.data.config.body).toBe('{"name": {{trigger.params.phone}}}');
  });
});

describe('inline problems', () => {
  const problems = [
    { code: 'node.url_empty', node: 'send', field: 'url', message: "HTTP request 'send': URL is empty" },
    { code: 'node.field_key_empty', node: 'form', field: 'fields[1].key', message: "Form 'form': row 2 has no name" },
    { code: 'node.config_invalid', node: 'form', field: 'config', message: "Form 'form': the settings must be a JSON object" },
  ];

  it('shows a field problem under its field and marks the field', () => {
    s().setProblems(problems);
    s().select('send');
    render(<Inspector />);
    expect(screen.getByTestId('problems-url').textContent).toBe("HTTP request 'send': URL is empty");
    const url = document.getElementById('f-url') as HTMLInputElement;
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(url.getAttribute('aria-describedby')).toBe('problems-url');
  });

  it('marks the table cell a problem names and lists the node-wide ones on top', () => {
    s().setProblems(problems);
    s().select('form');
    render(<Inspector />);
    expect(screen.getByTestId('problems-fields').textContent).toContain('row 2 has no name');
    expect(document.getElementById('fields-1-key')!.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('fields-0-key')!.getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByTestId('inspector-problems').textContent).toContain('must be a JSON object');
  });

  it('shows a cell the row does not have as empty, not as ""', () => {
    s().updateNode('form', { config: { fields: [{ key: 'name' }] } });
    s().select('form');
    render(<Inspector />);
    expect((document.getElementById('fields-0-value') as HTMLInputElement).value).toBe('');
    expect((document.getElementById('fields-0-key') as HTMLInputElement).value).toBe('name');
  });

  it('puts a readable badge on the node with its problems', () => {
    s().setProblems([...problems, { code: 'x', node: 'form', field: 'fields[0].value', message: 'third' }]);
    render(<NodeProblems id="form" />);
    const badge = screen.getByTestId('node-problems-form');
    expect(badge.textContent).toContain('3 problems');
    expect(badge.textContent).toContain('row 2 has no name');
    expect(badge.textContent).toContain('and 1 more');
    expect(badge.getAttribute('title')).toContain('third');
    cleanup();
    render(<NodeProblems id="script" />);
    expect(screen.queryByTestId('node-problems-script')).toBeNull();
  });
});
