import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const good = {
  DATABASE_URL: 'postgres://u:p@localhost:5432/juchu',
  REDIS_URL: 'redis://localhost:6379',
  JUCHU_SECRET_KEY: 'a'.repeat(64),
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('config', () => {
  it('reads a valid environment, applies defaults and freezes the result', () => {
    const c = loadConfig(good);
    expect(c.PORT).toBe(3000);
    expect(c.QUEUE_PREFIX).toBe('juchu');
    expect(c.JUCHU_SECRET_KEY.length).toBe(32);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every missing variable', () => {
    expect(problems({})).toEqual([
      'DATABASE_URL is missing',
      'REDIS_URL is missing',
      'JUCHU_SECRET_KEY is missing',
    ]);
    expect(problems({ ...good, REDIS_URL: '' })).toEqual(['REDIS_URL is missing']);
  });

  it('names a wrong variable and says what is wrong', () => {
    expect(problems({ ...good, DATABASE_URL: 'mysql://x' })[0]).toMatch(
      /^DATABASE_URL must be a URL starting with postgres:/,
    );
    expect(problems({ ...good, JUCHU_SECRET_KEY: 'short' })[0]).toMatch(/^JUCHU_SECRET_KEY must be 32 bytes/);
    expect(problems({ ...good, PORT: 'eighty' })[0]).toMatch(/^PORT /);
    expect(problems({ ...good, QUEUE_PREFIX: 'a:b' })[0]).toMatch(/^QUEUE_PREFIX .*no ":"/);
    expect(problems({ ...good, LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL /);
  });

  it('reads TRUST_PROXY (default: no proxy is trusted) and ALLOWED_HOSTS', () => {
    const c = loadConfig(good);
    expect(c.TRUST_PROXY).toBe(false);
    expect(c.ALLOWED_HOSTS).toEqual([]);
    expect(loadConfig({ ...good, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ ...good, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ ...good, TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' }).TRUST_PROXY).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
    ]);
    expect(problems({ ...good, TRUST_PROXY: '10.0.0.0/33' })[0]).toMatch(/^TRUST_PROXY .*"10.0.0.0\/33"/);
    expect(problems({ ...good, TRUST_PROXY: 'nginx' })[0]).toMatch(/^TRUST_PROXY /);
    expect(loadConfig({ ...good, ALLOWED_HOSTS: 'Juchu.Example.com, .shop.lan' }).ALLOWED_HOSTS).toEqual([
      'juchu.example.com',
      '.shop.lan',
    ]);
    expect(problems({ ...good, ALLOWED_HOSTS: 'https://juchu.example.com' })[0]).toMatch(/^ALLOWED_HOSTS /);
    expect(problems({ ...good, ALLOWED_HOSTS: 'juchu.example.com:3000' })[0]).toMatch(/no scheme or port/);
  });

  it('stops the CLI with a message naming the variable', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['bin/juchu.mjs', 'migrate'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...good, DATABASE_URL: undefined },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL is missing');
    expect(r.stderr).not.toContain('    at '); // no stack trace
  });

  it('reads Redis Cluster nodes and requires a hash-tagged queue prefix with them', () => {
    const { REDIS_URL: _, ...noUrl } = good;
    const c = loadConfig({
      ...noUrl,
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001',
      QUEUE_PREFIX: '{juchu}',
    });
    expect(c.REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(c.REDIS_URL).toBe('redis://10.0.0.1:7000');
    expect(problems({ ...good, REDIS_CLUSTER_NODES: '10.0.0.1:7000' })[0]).toMatch(
      /^QUEUE_PREFIX "juchu" must hold a hash tag on Redis Cluster .* e\.g\. \{juchu\}/,
    );
    expect(problems({ ...good, REDIS_CLUSTER_NODES: '10.0.0.1' })[0]).toMatch(
      /^REDIS_CLUSTER_NODES must be host:port/,
    );
    expect(problems({ ...good, LOG_LEVEL: 'verbose' })[0]).toMatch(/^LOG_LEVEL /);
  });
});
