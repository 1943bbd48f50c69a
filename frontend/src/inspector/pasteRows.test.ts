import { describe, expect, it } from 'vitest';
import { mapVariables, mergeRows, parsePastedRows, type VariableMap } from './pasteRows';

// GetCourse's "user created" variables and Klientiks' double-brace ones, as the presets give them
const vars: VariableMap[] = [
  { variable: '{object.first_name}', reference: '{{trigger.params.first_name}}' },
  { variable: '{object.phone}', reference: '{{trigger.params.phone}}' },
  { variable: '{object.create_session.utm_source}', reference: '{{trigger.params.utm_source}}' },
  { variable: '{{client.phone}}', reference: '{{trigger.params.phone}}' },
];

describe('parsePastedRows', () => {
  const cases: { name: string; text: string; rows: [string, string][] | null; skipped?: string[] }[] = [
    {
      name: 'a parameter string with GetCourse variables becomes references',
      text: 'name={object.first_name}&phone={object.phone}&sub_id_1={object.create_session.utm_source}',
      rows: [['name', '{{trigger.params.first_name}}'], ['phone', '{{trigger.params.phone}}'], ['sub_id_1', '{{trigger.params.utm_source}}']],
    },
    {
      name: 'a variable the preset does not list is kept as text',
      text: 'city={object.city}&id_offer=12',
      rows: [['city', '{object.city}'], ['id_offer', '12']],
    },
    {
      name: 'a leading "?" and a whole address are read from the "?" on',
      text: 'https://hooks.example.ru/hook/abc?email={object.email}&phone={object.phone}#top',
      rows: [['email', '{object.email}'], ['phone', '{{trigger.params.phone}}']],
    },
    { name: 'a "?"-string', text: '?a=1&b=2', rows: [['a', '1'], ['b', '2']] },
    {
      name: 'urlencoded keys and values are decoded, a lone % is kept',
      text: 'name=%D0%90%D0%BD%D0%BD%D0%B0&email=anna%40mail.ru&promo=50%&utm%5Fterm=a%20b',
      rows: [['name', 'Анна'], ['email', 'anna@mail.ru'], ['promo', '50%'], ['utm_term', 'a b']],
    },
    { name: 'a "+" stays a plus', text: 'phone=+79161234567', rows: [['phone', '+79161234567']] },
    { name: 'an encoded variable is mapped after decoding', text: 'phone=%7Bobject.phone%7D', rows: [['phone', '{{trigger.params.phone}}']] },
    {
      name: 'empty values make rows with an empty value; empty pieces are skipped quietly',
      text: 'api_key=&id_webmaster=&&flag',
      rows: [['api_key', ''], ['id_webmaster', ''], ['flag', '']],
    },
    {
      name: '"&" and "=" inside {{…}} do not split',
      text: 'name={{trigger.params.first_name | default:"a&b=c"}}&x=1',
      rows: [['name', '{{trigger.params.first_name | default:"a&b=c"}}'], ['x', '1']],
    },
    {
      name: 'lines of "name: value" and "name=value", Cyrillic keys and values, Windows line ends',
      text: 'имя: Анна\r\nphone=+7 916 123-45-67\r\n\r\nГород: Москва',
      rows: [['имя', 'Анна'], ['phone', '+7 916 123-45-67'], ['Город', 'Москва']],
    },
    {
      name: 'lines keep the first separator: a header value with "=" and a time with ":"',
      text: 'Content-Type: text/html; charset=utf-8\ntime: 10:00',
      rows: [['Content-Type', 'text/html; charset=utf-8'], ['time', '10:00']],
    },
    { name: 'one header line', text: 'Content-Type: application/x-www-form-urlencoded', rows: [['Content-Type', 'application/x-www-form-urlencoded']] },
    {
      name: 'lines with Klientiks variables, list bullets and tabs from a spreadsheet',
      text: '• phone: {{client.phone}}\n- name\tАнна',
      rows: [['phone', '{{trigger.params.phone}}'], ['name', 'Анна']],
    },
    {
      name: 'junk lines among good ones are reported, not dropped silently',
      text: 'name: Анна\nпросто текст\n{bad}=1',
      rows: [['name', 'Анна']],
      skipped: ['просто текст', '{bad}=1'],
    },
    { name: 'plain text is left to the browser', text: 'Анна Смирнова', rows: null },
    { name: 'an address without parameters is left to the browser', text: 'https://api.cpa.house/method/send_order', rows: null },
    { name: 'a reference alone is left to the browser', text: '{{trigger.params.phone | default:"x"}}', rows: null },
    { name: 'nothing', text: '  \n ', rows: null },
    { name: 'only junk', text: 'hello\nworld', rows: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = parsePastedRows(c.text, vars);
      if (c.rows === null) {
        expect(got).toBeNull();
        return;
      }
      expect(got?.rows.map((r) => [r.key, r.value])).toEqual(c.rows);
      expect(got?.skipped).toEqual(c.skipped ?? []);
    });
  }
});

describe('mapVariables', () => {
  it('maps variables inside text and prefers the longest match', () => {
    const v: VariableMap[] = [
      { variable: '{object.id}', reference: '{{trigger.params.id}}' },
      { variable: '{object.id}x', reference: 'LONG' },
    ];
    expect(mapVariables('Заказ {object.id} от {object.id}x', v)).toBe('Заказ {{trigger.params.id}} от LONG');
  });
  it('does not touch text without variables', () => {
    expect(mapVariables('{{trigger.params.phone}}', vars)).toBe('{{trigger.params.phone}}');
  });
});

describe('mergeRows', () => {
  const blank = () => ({ key: '', value: '', optional: false });
  const pasted = [
    { key: 'name', value: 'N' },
    { key: 'phone', value: 'P' },
    { key: 'tag', value: '1' },
    { key: 'tag', value: '2' },
  ];
  it('fills the empty row pasted into, adds the rest after it and keeps repeated keys', () => {
    const got = mergeRows([{ key: 'a', value: '1' }, blank(), { key: 'z', value: '9' }], 1, pasted, blank, 'value');
    expect(got.map((r) => `${r.key}=${r.value}`)).toEqual(['a=1', 'name=N', 'phone=P', 'tag=1', 'tag=2', 'z=9']);
    expect(got[2]).toEqual({ key: 'phone', value: 'P', optional: false });
  });
  it('a key the table already has gets the new value instead of a twin', () => {
    const got = mergeRows([{ key: 'phone', value: 'old', optional: true }, blank()], 1, pasted.slice(0, 2), blank, 'value');
    expect(got).toEqual([{ key: 'phone', value: 'P', optional: true }, { key: 'name', value: 'N', optional: false }]);
  });
  it('an empty table gets every row', () => {
    expect(mergeRows([], 0, pasted.slice(0, 2), blank, 'value').map((r) => r.key)).toEqual(['name', 'phone']);
  });
});
