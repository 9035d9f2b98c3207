import { describe, expect, it } from 'vitest';
import express from 'express';
import { loadConfig, publicBaseUrl } from '../../src/config.js';

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['loopback', 'loopback'],
    ['10.0.0.1, 10.0.0.2', '10.0.0.1, 10.0.0.2'],
    ['10.0.0.0/8,loopback', '10.0.0.0/8,loopback'],
    ['192.168.0.0/255.255.0.0', '192.168.0.0/255.255.0.0'],
    ['fd00::/8', 'fd00::/8'],
  ])('%s is read as %j, which Express accepts', (value, expected) => {
    const config = loadConfig(value === undefined ? {} : { TRUST_PROXY: value });
    expect(config.trustProxy).toEqual(expected);
    expect(() => express().set('trust proxy', config.trustProxy)).not.toThrow();
  });

  it.each(['abc', '10.0.0.1, proxy', '10.0.0.0/33', '10.0.0.1/8/1', 'fd00::/ff'])('refuses %s with a message naming it', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: 无法识别的代理地址/);
    // Express would have refused it too, later and in English.
    expect(() => express().set('trust proxy', value)).toThrow();
  });
});

describe('absolute links', () => {
  it('come from PUBLIC_URL, else from HOST and PORT, without a trailing slash', () => {
    expect(publicBaseUrl(loadConfig({ PUBLIC_URL: 'https://gfwj.example.gov.cn/' }))).toBe('https://gfwj.example.gov.cn');
    expect(publicBaseUrl(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }))).toBe('http://127.0.0.1:8080');
  });

  it('refuse to start in production without PUBLIC_URL, or with one that is not an address', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'gfwj.example.gov.cn' })).toThrow(/PUBLIC_URL: 应为以 http/);
  });
});

describe('TOKEN_TTL_DAYS', () => {
  it.each([
    ['0', false],
    ['1', true],
    ['3650', true],
    ['3651', false],
    ['7.5', false],
  ])('%s accepted: %s', (value, ok) => {
    const load = () => loadConfig({ TOKEN_TTL_DAYS: value });
    if (ok) expect(load().tokenTtlDays).toBe(Number(value));
    else expect(load).toThrow(/TOKEN_TTL_DAYS/);
  });
});
