import { describe, expect, it } from 'vitest';
import { promotable, suggestKey } from './promotable';

describe('promotable', () => {
  it('lists plain text values of steps with their config path, not references or names', () => {
    const doc = {
      schema: 1, name: 'x', edges: [],
      nodes: [
        { id: 'trigger', kind: 'webhook', config: { preset: 'getcourse.user_created' } },
        { id: 'send', kind: 'http', config: { method: 'POST', url: 'https://crm.example.com/leads',
          headers: [{ key: 'X-Key', value: '{{inputs.api_key}}' }, { key: 'X-Source', value: 'site' }] } },
      ],
    };
    expect(promotable(doc)).toEqual([
      { node: 'send', field: 'url', value: 'https://crm.example.com/leads', key: 'send_url' },
      { node: 'send', field: 'headers.1.value', value: 'site', key: 'send_headers_1_value' },
    ]);
  });

  it('suggests input names the server accepts', () => {
    expect(suggestKey('1st', 'url')).toBe('v_1st_url');
    expect(suggestKey('send', 'fields.0.value')).toBe('send_fields_0_value');
  });
});
