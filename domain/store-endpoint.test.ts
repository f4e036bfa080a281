import { describe, expect, it } from 'vitest';
import { checkEndpoint, hostMatches, isLoopbackHost, originOf } from './store-endpoint.js';

const SHOPIFY = { label: 'API のベース URL', hosts: ['*.myshopify.com'] };
const RAKUTEN = { label: 'API のベース URL', hosts: ['api.rms.rakuten.co.jp'] };

const ok = (url: string, rule: Parameters<typeof checkEndpoint>[1]) => checkEndpoint(url, rule).ok;
const why = (url: string, rule: Parameters<typeof checkEndpoint>[1]) => {
  const v = checkEndpoint(url, rule);
  return v.ok ? null : v.message;
};

describe('checkEndpoint', () => {
  it('allows the cart’s own hosts over https on the default port', () => {
    expect(ok('https://juchu-demo.myshopify.com', { ...SHOPIFY, testStore: false })).toBe(true);
    expect(ok('https://juchu-demo.myshopify.com:443/', { ...SHOPIFY, testStore: false })).toBe(true);
    expect(ok('https://api.rms.rakuten.co.jp', { ...RAKUTEN, testStore: false })).toBe(true);
    expect(ok('https://api.rms.rakuten.co.jp/es/2.0/', { ...RAKUTEN, testStore: false })).toBe(true);
  });

  it.each([
    ['https://evil.example', '接続先 evil.example'],
    ['https://api.rms.rakuten.co.jp.evil.example', '接続先 api.rms.rakuten.co.jp.evil.example'],
    ['https://rakuten.co.jp', '接続先 rakuten.co.jp'],
    ['https://api.rms.rakuten.co.jp.', '接続先 api.rms.rakuten.co.jp.'],
    ['http://api.rms.rakuten.co.jp', 'https://'],
    ['https://api.rms.rakuten.co.jp:8443', 'ポート番号'],
    ['https://user:pass@api.rms.rakuten.co.jp', '利用者名やパスワード'],
    ['https://evil.example%2f@api.rms.rakuten.co.jp', '利用者名やパスワード'],
    ['https://10.0.0.1', 'IP アドレス（10.0.0.1）'],
    ['http://169.254.169.254/latest/meta-data/', 'IP アドレス（169.254.169.254）'],
    ['https://192.168.1.1', 'IP アドレス'],
    ['https://[fd00::1]', 'IP アドレス'],
    ['https://[::ffff:127.0.0.1]', 'IP アドレス'],
    ['http://127.0.0.1:4010', 'この機械自身'],
    ['http://localhost:4010', 'この機械自身'],
    ['http://[::1]:4010', 'この機械自身'],
    ['http://2130706433/', 'この機械自身'],
    ['http://0x7f.1/', 'この機械自身'],
    ['file:///etc/passwd', 'https://'],
    ['gopher://api.rms.rakuten.co.jp', 'https://'],
    ['not a url', 'URL として読めません'],
  ])('refuses %s for a store that is not a test store', (url, message) => {
    expect(why(url, { ...RAKUTEN, testStore: false })).toContain(message);
  });

  it('lets a test store use loopback over http or https on any port, and nothing else more', () => {
    const test = { ...SHOPIFY, testStore: true };
    for (const url of [
      'http://127.0.0.1:4010',
      'http://127.8.9.10:1',
      'https://localhost:8443/x',
      'http://[::1]:3000',
    ])
      expect(ok(url, test), url).toBe(true);
    expect(ok('https://juchu-demo.myshopify.com:8443', test)).toBe(true);
    expect(why('http://10.0.0.1', test)).toContain('IP アドレス');
    expect(why('http://169.254.169.254', test)).toContain('IP アドレス');
    expect(why('http://juchu-demo.myshopify.com', test)).toContain('https://');
    expect(why('https://evil.example', test)).toContain('evil.example');
    expect(why('http://user@127.0.0.1:4010', test)).toContain('利用者名');
  });

  it('names the label and the allowed hosts', () => {
    expect(
      why('https://evil.example', {
        label: 'トークン発行 URL',
        hosts: ['a.example', 'b.example'],
        testStore: false,
      }),
    ).toBe(
      'トークン発行 URL の接続先 evil.example には認証情報を送れません。使えるのは a.example、b.example です',
    );
  });

  it('takes a folder for the CSV cart and nothing else', () => {
    const csv = { label: 'API のベース URL', hosts: [], testStore: false, file: true };
    expect(ok('file:///var/lib/juchu/csv-inbox', csv)).toBe(true);
    expect(ok('file://localhost/srv/inbox', csv)).toBe(true);
    expect(why('file://fileserver/share', csv)).toContain('この機械のフォルダー');
    expect(why('https://example.jp', csv)).toContain('file://');
    expect(why('file:///x', { ...RAKUTEN, testStore: true })).toContain('https://');
  });
});

describe('hostMatches', () => {
  it('matches one label under a *. pattern, exact names otherwise', () => {
    expect(hostMatches('shop.myshopify.com', '*.myshopify.com')).toBe(true);
    expect(hostMatches('a-b-1.myshopify.com', '*.myshopify.com')).toBe(true);
    expect(hostMatches('myshopify.com', '*.myshopify.com')).toBe(false);
    expect(hostMatches('a.b.myshopify.com', '*.myshopify.com')).toBe(false);
    expect(hostMatches('evilmyshopify.com', '*.myshopify.com')).toBe(false);
    expect(hostMatches('{shop}.myshopify.com', '*.myshopify.com')).toBe(false);
    expect(hostMatches('api.rms.rakuten.co.jp', 'api.rms.rakuten.co.jp')).toBe(true);
    expect(hostMatches('x.api.rms.rakuten.co.jp', 'api.rms.rakuten.co.jp')).toBe(false);
  });
});

describe('isLoopbackHost and originOf', () => {
  it('knows loopback names as WHATWG URL writes them', () => {
    for (const h of ['localhost', '127.0.0.1', '127.255.0.9', '[::1]'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', '128.0.0.1', 'localhost.', 'x.localhost', '[::2]'])
      expect(isLoopbackHost(h), h).toBe(false);
  });

  it('compares servers, not paths', () => {
    expect(originOf('https://a.example/x')).toBe(originOf('https://a.example:443/y'));
    expect(originOf('https://a.example')).not.toBe(originOf('https://b.example'));
    expect(originOf('http://127.0.0.1:1')).not.toBe(originOf('http://127.0.0.1:2'));
    expect(originOf('file:///a')).toBe(originOf('file:///b'));
    expect(originOf('nope')).toBeNull();
  });
});
