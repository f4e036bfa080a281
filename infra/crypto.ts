// Store credentials are encrypted at rest with AES-256-GCM. The key comes from JUCHU_SECRET_KEY and
// never touches the database; each value gets its own random 96-bit IV, and the GCM tag makes any
// tampering (or a wrong key) an error instead of garbage.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export function encryptSecret(plain: string, key: Buffer): string {
  if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64'), tag.toString('base64'), ct.toString('base64')].join('.');
}

export function decryptSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('not an encrypted credential');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('credentials cannot be decrypted: wrong JUCHU_SECRET_KEY or tampered data');
  }
}

export function encryptJson(value: unknown, key: Buffer): string {
  return encryptSecret(JSON.stringify(value), key);
}

export function decryptJson<T = unknown>(sealed: string, key: Buffer): T {
  return JSON.parse(decryptSecret(sealed, key)) as T;
}
