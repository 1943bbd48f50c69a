import { describe, expect, it } from 'vitest';
import { csrfToken } from '../api/client';
import { allows } from './session';

describe('roles', () => {
  it('orders viewer < editor < owner', () => {
    expect(allows('viewer', 'editor')).toBe(false);
    expect(allows('editor', 'editor')).toBe(true);
    expect(allows('owner', 'editor')).toBe(true);
    expect(allows('editor', 'owner')).toBe(false);
    expect(allows('', 'viewer')).toBe(false);
  });
});

describe('csrfToken', () => {
  it('reads the CSRF cookie among others', () => {
    expect(csrfToken('a=1; hookflow_csrf=abc%3D%3D; b=2')).toBe('abc==');
    expect(csrfToken('a=1')).toBe('');
  });
});
