// What the stores screen says about a Shopify store's API: which API and version it reads orders
// with, and the operator's warnings: a version past (or within 60 days of the end of) its support
// window, a version not yet released, and the REST Admin API, which is legacy. Pure.
import type { ApiStatus } from '../contract.js';
import { apiVersionWindow, DEFAULT_API_VERSION, latestStableVersion } from './constants.js';

/** How long before the end of support the screen starts to say so. */
export const VERSION_WARNING_DAYS = 60;

const DAY = 86_400_000;
const ymd = (d: Date) => d.toISOString().slice(0, 10);

export function shopifyApiStatus(settings: Record<string, unknown>, now: Date): ApiStatus {
  const rest = settings.ordersApi === 'rest';
  const version = typeof settings.apiVersion === 'string' ? settings.apiVersion : DEFAULT_API_VERSION;
  const api = `${rest ? 'REST' : 'GraphQL'} Admin API ${version}`;
  const warnings: string[] = [];
  const latest = latestStableVersion(now);
  const window = apiVersionWindow(version);
  if (!window)
    warnings.push(
      `API バージョン「${version}」は読めません（YYYY-01/04/07/10 の形です）。apiVersion を ${latest} にしてください。`,
    );
  else if (now < window.released)
    warnings.push(
      `API バージョン ${version} はまだ安定版ではありません（${ymd(window.released)} 公開予定）。apiVersion を ${latest} にしてください。`,
    );
  else if (now >= window.supportedUntil)
    warnings.push(
      `API バージョン ${version} のサポートは ${ymd(window.supportedUntil)} に終わりました。Shopify はサポート中で最も古いバージョンで応答しています。apiVersion を ${latest} に更新してください。`,
    );
  else {
    const left = Math.ceil((window.supportedUntil.getTime() - now.getTime()) / DAY);
    if (left <= VERSION_WARNING_DAYS)
      warnings.push(
        `API バージョン ${version} のサポートは ${ymd(window.supportedUntil)} に終わります（あと ${left} 日）。apiVersion を ${latest} に更新してください。`,
      );
  }
  if (rest)
    warnings.push(
      'REST Admin API はレガシーです（2024-10-01 から）。新しい公開アプリは 2025-04-01 から GraphQL のみです。ordersApi を graphql に切り替えてください。',
    );
  return { api, warnings };
}
