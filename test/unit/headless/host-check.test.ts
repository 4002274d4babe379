import { describe, expect, it } from 'vitest';
import { hostMatcher, parseHostHeader } from '../../../src/main/headless/host-check';

describe('the headless console Host check', () => {
  it('accepts the loopback names on the console port, in any case and IPv6 spelling', () => {
    const ok = hostMatcher({ host: '127.0.0.1', port: 4780 });
    for (const host of ['127.0.0.1:4780', 'localhost:4780', 'LocalHost:4780', '[::1]:4780', '[0:0:0:0:0:0:0:1]:4780']) expect(ok(host), host).toBe(true);
  });

  it('on port 80, accepts the bare name a browser sends (the default port is left out) and the explicit :80', () => {
    const ok = hostMatcher({ host: '127.0.0.1', port: 80 });
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.0.0.1:80', 'localhost:80']) expect(ok(host), host).toBe(true);
    expect(ok('127.0.0.1:8080')).toBe(false);
    // …and only there: a bare name means port 80, not the console's port.
    expect(hostMatcher({ host: '127.0.0.1', port: 4780 })('127.0.0.1')).toBe(false);
  });

  it('refuses foreign names (DNS rebinding), other ports and anything that is not a plain host[:port]', () => {
    const ok = hostMatcher({ host: '127.0.0.1', port: 4780 });
    for (const host of [
      undefined,
      '',
      'evil.example:4780',
      'localhost.evil.example:4780',
      'localhost.:4780',
      '127.0.0.1:4781',
      'localhost:4780:4780',
      'user@127.0.0.1:4780',
      'evil.example@127.0.0.1:4780',
      '127.0.0.1:4780/path',
      '127.0.0.1 :4780',
      '[::1]:99999',
      '[::1',
      '::1:4780',
    ]) {
      expect(ok(host), String(host)).toBe(false);
    }
  });

  it('bound to one address, answers to that address as well as loopback', () => {
    const ok = hostMatcher({ host: '::1', port: 4780 });
    expect(ok('[::1]:4780')).toBe(true);
    const lan = hostMatcher({ host: '192.168.1.20', port: 4780 });
    expect(lan('192.168.1.20:4780')).toBe(true);
    expect(lan('192.168.1.21:4780')).toBe(false);
  });

  it('bound to every interface, answers to this machine’s addresses but never to the wildcard itself', () => {
    const ok = hostMatcher({ host: '0.0.0.0', port: 4780 }, () => ['127.0.0.1', '192.168.1.20', 'fe80::1']);
    expect(ok('192.168.1.20:4780')).toBe(true);
    expect(ok('[fe80::1]:4780')).toBe(true);
    expect(ok('localhost:4780')).toBe(true);
    expect(ok('0.0.0.0:4780')).toBe(false);
    expect(ok('10.9.9.9:4780')).toBe(false);
    expect(hostMatcher({ host: '::', port: 4780 }, () => ['10.0.0.7'])('10.0.0.7:4780')).toBe(true);
  });

  it('parses a Host header into its canonical name and port', () => {
    expect(parseHostHeader('LOCALHOST')).toEqual({ name: 'localhost', port: 80 });
    expect(parseHostHeader('[0:0::1]:4780')).toEqual({ name: '[::1]', port: 4780 });
    expect(parseHostHeader('127.0.0.1:65536')).toBeNull();
  });
});
