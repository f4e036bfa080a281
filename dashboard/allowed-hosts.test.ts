import { describe, expect, it } from 'vitest';
import { hostAllowed } from './allowed-hosts.js';

describe('hostAllowed', () => {
  it('answers IP addresses, localhost and HOST whatever the port was; other names only when listed', () => {
    const cases: Array<[string, readonly string[], string, boolean]> = [
      ['127.0.0.1', [], '127.0.0.1', true],
      ['[::1]', [], '127.0.0.1', true],
      ['192.168.1.20', [], '0.0.0.0', true],
      ['[fe80::1]', [], '0.0.0.0', true],
      ['localhost', [], '127.0.0.1', true],
      ['LOCALHOST.', [], '127.0.0.1', true],
      ['juchu.localhost', [], '127.0.0.1', true],
      ['desk.shop.lan', [], 'desk.shop.lan', true],
      // a DNS-rebinding page sends its own name
      ['evil.example', [], '127.0.0.1', false],
      ['127.0.0.1.evil.example', [], '127.0.0.1', false],
      ['localhost.evil.example', [], '127.0.0.1', false],
      ['', [], '127.0.0.1', false],
      ['juchu.example.com', ['juchu.example.com'], '0.0.0.0', true],
      ['Juchu.Example.com', ['juchu.example.com'], '0.0.0.0', true],
      ['other.example.com', ['juchu.example.com'], '0.0.0.0', false],
      ['desk.example.com', ['.example.com'], '0.0.0.0', true],
      ['example.com', ['.example.com'], '0.0.0.0', true],
      ['badexample.com', ['.example.com'], '0.0.0.0', false],
      ['anything.example', ['*'], '127.0.0.1', true],
    ];
    for (const [host, allowed, own, ok] of cases)
      expect(hostAllowed(host, allowed, own), `${host} with [${allowed}] on ${own}`).toBe(ok);
  });
});
