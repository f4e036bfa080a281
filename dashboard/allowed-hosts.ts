// The Host header check. A DNS-rebinding page (evil.example, its name made to resolve to 127.0.0.1)
// reaches a dashboard on this machine with its own name in Host, and the browser then treats our
// answers as evil.example's. Such a page can only ever send a name it controls, so IP addresses,
// localhost (and *.localhost, which browsers keep on loopback) and HOST are always fine; any other
// name must be in ALLOWED_HOSTS. Ports do not matter: a port in Host is the one the browser dialled
// (Docker may map 8080 to our 3000), never something the attacker picks for us.
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import type { Config } from '../infra/config.js';

/** Probes (container health checks call the address they know) pass whatever their Host. */
const PROBES = new Set(['/healthz', '/readyz']);

/** Is `hostname` (lower case, no port; IPv6 in brackets) one we answer to? */
export function hostAllowed(hostname: string, allowed: readonly string[], ownHost: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (!name) return false;
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(bare)) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === ownHost.toLowerCase()) return true;
  return allowed.some(
    (a) => a === '*' || a === name || (a.startsWith('.') && (name.endsWith(a) || name === a.slice(1))),
  );
}

/** Refuses (421, plain text) a request whose Host is not ours; behind trusted proxies, X-Forwarded-Host. */
export function checkHost(config: Pick<Config, 'ALLOWED_HOSTS' | 'HOST'>): RequestHandler {
  return (req, res, next) => {
    if (PROBES.has(req.path) && (req.method === 'GET' || req.method === 'HEAD')) return next();
    // req.hostname: Host (or X-Forwarded-Host when TRUST_PROXY trusts the sender) without its port.
    const hostname = req.hostname ?? '';
    if (hostAllowed(hostname, config.ALLOWED_HOSTS, config.HOST)) return next();
    res
      .status(421)
      .type('text/plain; charset=utf-8')
      .send(
        'このホスト名ではダッシュボードを開けません。使うホスト名を ALLOWED_HOSTS に加えてください。\n' +
          'Host not allowed: add it to ALLOWED_HOSTS.\n',
      );
  };
}
