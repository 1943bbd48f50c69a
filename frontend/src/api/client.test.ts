import { afterEach, describe, expect, it, vi } from 'vitest';
import { useLang } from '../i18n/i18n';
import { ApiError, call } from './client';

describe('API errors in the chosen language', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useLang.setState({ lang: 'en' });
  });

  it('asks the server for answers in the chosen language', async () => {
    useLang.setState({ lang: 'ru' });
    const fetch = vi.fn(async () => new Response('{"ok":true}', { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    await call('GET', '/api/flows');
    expect((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).toMatchObject({ 'Accept-Language': 'ru' });
  });

  it('says in Russian that the server does not answer, not the browser English', async () => {
    useLang.setState({ lang: 'ru' });
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const err = await call('GET', '/api/flows').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('Сервер не отвечает; проверьте подключение и повторите.');
  });

  it('names the status in words when the server gave no sentence', async () => {
    useLang.setState({ lang: 'ru' });
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 502 })));
    const err = (await call('GET', '/api/flows').catch((e: unknown) => e)) as ApiError;
    expect(err.message).toBe('Сервер ответил ошибкой (код 502).');
  });
});
