// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useLang } from '../i18n/i18n';
import '../test/jsdom';
import { usePointing } from './pointing';
import { ValueTree } from './ValueTree';

const data = { params: { user: { email: 'anna@example.ru', group_name: ['Лиды', 'Клиенты'] }, session: {} } };
let inserted: string[];

beforeEach(() => {
  useLang.setState({ lang: 'en' });
  inserted = [];
  usePointing.setState({ field: { nodeId: 'form', fieldId: 'fields-2-value', label: 'params', insert: (t) => inserted.push(t) } });
});
afterEach(cleanup);

const tree = () => render(<ValueTree value={data} source={{ node: 'set1', trigger: false }} forNode="form" testId="step-input" isInput />);
const keyButton = (name: string) => screen.queryAllByRole('button').find((b) => b.classList.contains('pick-key') && b.textContent === name);

describe('ValueTree pointing at a whole object', () => {
  it('makes the name of an object or a list a button that inserts the whole of it', () => {
    tree();
    fireEvent.click(keyButton('params')!);
    fireEvent.click(keyButton('user')!);
    fireEvent.click(keyButton('group_name')!);
    expect(inserted).toEqual(['{{set1.params}}', '{{set1.params.user}}', '{{set1.params.user.group_name}}']);
  });
  it('keeps single values as they were and leaves the names of single and empty values plain', () => {
    tree();
    expect(keyButton('email')).toBeUndefined();
    expect(keyButton('session')).toBeUndefined();
    fireEvent.click(screen.getByText('anna@example.ru'));
    expect(inserted).toEqual(['{{set1.params.user.email}}']);
  });
  it('says it inserts the whole object, in both languages', () => {
    tree();
    expect(keyButton('user')!.title).toBe('Insert the whole “user” into “params”');
    act(() => useLang.setState({ lang: 'ru' }));
    expect(keyButton('user')!.title).toBe('Вставить «user» целиком в «params»');
  });
  it('makes nothing clickable while no field waits for a value', () => {
    usePointing.setState({ field: null });
    tree();
    expect(screen.queryAllByRole('button')).toEqual([]);
  });
});
