import { describe, expect, it } from 'vitest';
import { parseRoute } from '../router';

describe('account routes', () => {
  it('reads the invitation token and the team page from the hash', () => {
    expect(parseRoute('#/invite/hfi_abc-DEF_12')).toEqual({ page: 'invite', token: 'hfi_abc-DEF_12' });
    expect(parseRoute('#/team')).toEqual({ page: 'team' });
    expect(parseRoute('#/invite/')).toEqual({ page: 'flows' });
  });
});
