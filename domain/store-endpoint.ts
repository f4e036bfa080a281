// Where a store may send its credentials (issue 12 item 5). A store's API base URL, and any URL
// setting an adapter sends credentials to (Yahoo's token endpoint, Amazon's LWA), must name one of
// the hosts that endpoint is known to answer on, over https on the default port, with no user name
// or password in it. A test store may also point at this machine (loopback: 127.0.0.0/8,
// `localhost`, `[::1]`) over http or https on any port, which is where the cart simulators run.
// Nothing else: no other IP address (private ranges, link-local metadata services), no other
// host. The CSV cart sends nothing anywhere: its base URL is a folder (`file:`). Pure.

export interface EndpointRule {
  /** What the URL is, for the message (`API のベース URL`, `トークン発行 URL（settings.tokenUrl）`). */
  label: string;
  /** Exact host names, or `*.suffix` for one label under the suffix (`*.myshopify.com`). */
  hosts: readonly string[];
  /** A test store may also use loopback (local simulators), over http or https, on any port. */
  testStore: boolean;
  /** The URL is a folder, not a server (the CSV cart): only `file:` is allowed. */
  file?: boolean;
}

export type EndpointVerdict = { ok: true; url: URL } | { ok: false; message: string };

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** WHATWG URL has already normalized the host: `127.1`, `0x7f.1` and `2130706433` are `127.0.0.1`. */
function isIp(host: string): boolean {
  return IPV4.test(host) || host.startsWith('[');
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || (IPV4.test(host) && host.startsWith('127.'));
}

/** `host` is `pattern`, or one label under the suffix of a `*.` pattern. */
export function hostMatches(host: string, pattern: string): boolean {
  if (!pattern.startsWith('*.')) return host === pattern;
  const suffix = pattern.slice(1); // `.myshopify.com`
  if (!host.endsWith(suffix)) return false;
  return /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(host.slice(0, -suffix.length));
}

const refuse = (message: string): EndpointVerdict => ({ ok: false, message });

/** Whether credentials may be sent to `raw` under `rule`; a refusal says why, in Japanese. */
export function checkEndpoint(raw: string, rule: EndpointRule): EndpointVerdict {
  const { label } = rule;
  if (!URL.canParse(raw)) return refuse(`${label} が URL として読めません: ${raw.slice(0, 200)}`);
  const url = new URL(raw);
  if (url.username || url.password) return refuse(`${label} に利用者名やパスワードを含めることはできません`);
  if (rule.file) {
    if (url.protocol !== 'file:') return refuse(`${label} は file:// で始まるフォルダーにしてください`);
    if (url.host !== '' && url.host !== 'localhost')
      return refuse(`${label} はこの機械のフォルダー（file:///…）にしてください`);
    return { ok: true, url };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return refuse(`${label} は https:// で始めてください`);
  const host = url.hostname;
  if (isLoopbackHost(host)) {
    if (!rule.testStore)
      return refuse(
        `${label} の接続先 ${host} はこの機械自身です。シミュレーターにつなぐ店舗は「テスト店舗（シミュレーター可）」にしてください`,
      );
    return { ok: true, url };
  }
  const allowed = rule.hosts.join('、') || '（なし）';
  if (isIp(host)) return refuse(`${label} に IP アドレス（${host}）は使えません。使えるのは ${allowed} です`);
  if (!rule.hosts.some((p) => hostMatches(host, p)))
    return refuse(`${label} の接続先 ${host} には認証情報を送れません。使えるのは ${allowed} です`);
  if (url.protocol !== 'https:') return refuse(`${label} は https:// で始めてください（${host}）`);
  if (url.port !== '' && !rule.testStore)
    return refuse(`${label} にポート番号（:${url.port}）は付けられません（テスト店舗だけ）`);
  return { ok: true, url };
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/**
 * Whether `raw` may be added to a cart's hosts by an ops engineer (`juchu stores allow-host`): one
 * exact DNS name with a dot (no scheme, path, port, wildcard, IP address or this machine). Returns the
 * host as stored (lower case), or a refusal in Japanese.
 */
export function checkAddedHost(raw: string): { ok: true; host: string } | { ok: false; message: string } {
  const host = raw.trim().toLowerCase().replace(/\.$/, '');
  const no = (why: string) => ({
    ok: false as const,
    message: `追加する接続先 ${raw.trim() || '（空）'} は使えません: ${why}`,
  });
  if (host.includes('://') || host.includes('/'))
    return no('ホスト名だけを書いてください（https:// やパスは不要です）');
  if (host.includes('*'))
    return no('ワイルドカードは使えません。メールで知らされたホスト名をそのまま書いてください');
  if (host.includes(':')) return no('ポート番号や IPv6 アドレスは使えません');
  if (IPV4.test(host)) return no('IP アドレスは使えません');
  if (isLoopbackHost(host)) return no('この機械自身は使えません（シミュレーターにはテスト店舗でつなぎます）');
  if (!HOST_NAME.test(host)) return no('ホスト名として読めません（例: api.example.jp）');
  return { ok: true, host };
}

/** Scheme, host and port: two URLs with the same origin reach the same server. */
export function originOf(raw: string): string | null {
  if (!URL.canParse(raw)) return null;
  const u = new URL(raw);
  return u.protocol === 'file:' ? 'file:' : u.origin;
}
