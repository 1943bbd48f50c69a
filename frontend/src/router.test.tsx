// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/react';
import { mayLeave, mayLeaveAll, parseRoute, setLeaveGuard, useRoute, type Route } from './router';

function Shows() {
  const r = useRoute();
  return (
    <div>
      <span data-testid="route">{JSON.stringify(r)}</span>
      <a href="#/flows">flows</a>
      <a href="#/flows/f1">same editor</a>
    </div>
  );
}

const editor: Route = { page: 'editor', id: 'f1' };
const asked: string[] = [];
let answer = false;
const confirmWith = (q: string) => {
  asked.push(q);
  return answer;
};

afterEach(() => {
  cleanup();
  asked.length = 0;
});

describe('the leave guard', () => {
  it('asks only when a guard is set and the route changes', () => {
    expect(mayLeave(editor, { page: 'flows' }, confirmWith)).toBe(true);
    const remove = setLeaveGuard(() => 'Leave without saving?');
    expect(mayLeave(editor, editor, confirmWith)).toBe(true);
    expect(asked).toEqual([]);
    answer = false;
    expect(mayLeave(editor, { page: 'flows' }, confirmWith)).toBe(false);
    answer = true;
    expect(mayLeave(editor, { page: 'journal', id: 'f1' }, confirmWith)).toBe(true);
    expect(asked).toEqual(['Leave without saving?', 'Leave without saving?']);
    remove();
    expect(mayLeave(editor, { page: 'flows' }, confirmWith)).toBe(true);
    expect(asked).toHaveLength(2);
  });

  it('signing out asks the same question', () => {
    expect(mayLeaveAll(confirmWith)).toBe(true);
    const remove = setLeaveGuard(() => 'Leave without saving?');
    answer = false;
    expect(mayLeaveAll(confirmWith)).toBe(false);
    expect(asked).toEqual(['Leave without saving?']);
    remove();
  });

  it('a guard that lets go (nothing unsaved) asks nothing; removing an old guard keeps the new one', () => {
    const removeOld = setLeaveGuard(() => 'old');
    const removeNew = setLeaveGuard(() => null);
    removeOld();
    expect(mayLeave(editor, { page: 'flows' }, confirmWith)).toBe(true);
    expect(asked).toEqual([]);
    removeNew();
  });
});

describe('useRoute with a guard', () => {
  it('a refused in-app link does not change the address; an accepted one navigates once', async () => {
    window.location.hash = '#/flows/f1';
    render(<Shows />);
    const questions: string[] = [];
    let yes = false;
    window.confirm = (q?: string) => {
      questions.push(q ?? '');
      return yes;
    };
    const remove = setLeaveGuard(() => 'Unsaved: leave?');
    act(() => screen.getByText('flows').click());
    expect(window.location.hash).toBe('#/flows/f1');
    expect(questions).toEqual(['Unsaved: leave?']);
    // A link to the page already shown does not ask.
    act(() => screen.getByText('same editor').click());
    expect(questions).toHaveLength(1);

    yes = true;
    act(() => screen.getByText('flows').click());
    await screen.findByText(JSON.stringify({ page: 'flows' }));
    expect(questions).toHaveLength(2); // the hash change that follows is not asked again
    remove();
  });

  it('a refused back button puts the editor back in the address and stays on it', async () => {
    window.location.hash = '#/flows';
    render(<Shows />);
    await act(async () => {
      window.location.hash = '#/flows/f1';
      await new Promise((r) => window.addEventListener('hashchange', r, { once: true }));
    });
    screen.getByText(JSON.stringify(editor));
    window.confirm = () => false;
    const remove = setLeaveGuard(() => 'Unsaved: leave?');
    await act(async () => {
      window.history.back();
      await new Promise((r) => window.addEventListener('hashchange', r, { once: true }));
    });
    expect(window.location.hash).toBe('#/flows/f1');
    expect(parseRoute(window.location.hash)).toEqual(editor);
    screen.getByText(JSON.stringify(editor));
    remove();
  });
});
