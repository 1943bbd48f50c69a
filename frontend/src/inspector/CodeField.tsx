// A code field of the inspector on CodeMirror 6: JavaScript highlighting for scripts and
// conditions, plain text for templated bodies. Tab indents; Escape then Tab leaves the editor
// (CodeMirror's own rule), so keyboard users are never trapped.
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { Annotation, Compartment, EditorState, Transaction, type Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers, placeholder as cmPlaceholder } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { javascript } from '@codemirror/lang-javascript';

export interface CodeFieldProps {
  /** the config field's key: the editor is data-testid="code-<fieldKey>" */
  fieldKey: string;
  id?: string;
  value: string;
  onChange(value: string): void;
  label: string;
  /** JavaScript highlighting (scripts, conditions); off for templated text */
  js?: boolean;
  placeholder?: string;
}

/** Lets the variable picker insert at the editor's cursor. */
export interface CodeFieldHandle {
  insert(text: string): void;
  focus(): void;
  /** the cursor's position in the text (for the clean-up menu) */
  caret(): number | null;
  /** replaces the text as the user's own edit (undoable) and puts the cursor at caret */
  replace(text: string, caret: number): void;
}

/**
 * Marks the replacement of the text by a value from outside (the store's undo, another node):
 * it is not the user's edit, so it is neither reported back (that would record a new undo step
 * and drop the redo list) nor kept in the editor's own history.
 */
const fromOutside = Annotation.define<boolean>();

function baseExtensions(): Extension[] {
  return [
    lineNumbers(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    indentOnInput(),
    bracketMatching(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    EditorView.lineWrapping,
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
  ];
}

export const CodeField = forwardRef<CodeFieldHandle, CodeFieldProps>(function CodeField(
  { fieldKey, id, value, onChange, label, js = true, placeholder },
  ref,
) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  const language = useRef(new Compartment());
  const attrs = useRef(new Compartment());

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          baseExtensions(),
          language.current.of(js ? javascript() : []),
          attrs.current.of(EditorView.contentAttributes.of({ 'aria-label': label, ...(id ? { id } : {}) })),
          placeholder ? cmPlaceholder(placeholder) : [],
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !u.transactions.some((tr) => tr.annotation(fromOutside))) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // the editor is made once; later prop changes are dispatched below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value changed outside the editor (undo, another node selected): replace the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({
        changes: { from: 0, to: v.state.doc.length, insert: value },
        annotations: [fromOutside.of(true), Transaction.addToHistory.of(false)],
      });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: language.current.reconfigure(js ? javascript() : []) });
  }, [js]);

  useEffect(() => {
    view.current?.dispatch({
      effects: attrs.current.reconfigure(EditorView.contentAttributes.of({ 'aria-label': label, ...(id ? { id } : {}) })),
    });
  }, [label, id]);

  useImperativeHandle(ref, () => ({
    insert(text: string) {
      const v = view.current;
      if (!v) return;
      const { from, to } = v.state.selection.main;
      v.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length }, scrollIntoView: true });
      v.focus();
    },
    focus() {
      view.current?.focus();
    },
    caret() {
      return view.current ? view.current.state.selection.main.head : null;
    },
    replace(text: string, caret: number) {
      const v = view.current;
      if (!v) return;
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text }, selection: { anchor: Math.min(caret, text.length) } });
      v.focus();
    },
  }), []);

  return <div className="code-field" ref={host} data-testid={`code-${fieldKey}`} />;
});
