// Whether a Yahoo! store's credentials can import unattended (issue 13 item 5). Without 公開鍵認証 —
// the store's public key and its version — Yahoo's authorization lapses after 12 hours (error
// px-04102) and the store owner has to authorize again; with them it lasts 28 days [T: news.sokuhan.jp
// ux/20250807 and ux/20240806; older Yahoo help: 最大12時間 → 最大4週間 with the former API certificate].
// Pure, so `juchu stores apply` and any other front end can ask the same question.
import { createPublicKey } from 'node:crypto';
import { publicKeyPem } from './auth.js';

/** The credential fields unattended import needs besides the OAuth ones. */
export const UNATTENDED_FIELDS = ['publicKey', 'publicKeyVersion'] as const;

/**
 * Why these credentials cannot import unattended, as one sentence; null when they can. A key that is
 * not an RSA public key (PEM or its base64 body) is refused too: every call would fail to sign.
 */
export function unattendedImportProblem(credentials: Readonly<Record<string, unknown>>): string | null {
  const missing = UNATTENDED_FIELDS.filter((f) => {
    const v = credentials[f];
    return typeof v !== 'string' || v.trim() === '';
  });
  if (missing.length)
    return (
      `credentials have no ${missing.join(' and ')} (公開鍵認証): without the store's public key and its ` +
      "version Yahoo's authorization lapses after 12 hours (px-04102) and unattended import stops until " +
      'the store owner authorizes again. Add them to credentialsFromEnv (ストアクリエイターPro › 設定 › 暗号鍵管理), ' +
      'or mark the store `interactive: true` if someone will re-authorize by hand.'
    );
  try {
    const key = createPublicKey(publicKeyPem(String(credentials.publicKey)));
    if (key.asymmetricKeyType !== 'rsa')
      return `publicKey is a ${key.asymmetricKeyType} key, not an RSA public key`;
  } catch (e) {
    return `publicKey is not a public key Yahoo issued (PEM or its base64 body): ${e instanceof Error ? e.message : String(e)}`;
  }
  return null;
}
