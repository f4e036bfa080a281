// What the stores screen says about an Amazon store's Orders API (`CartModule.apiStatus`): which one it
// reads, and for a v0 store that Amazon turns v0 off on 2027-03-27 (ORDERS_V0_CUTOFF), more urgently
// in the last 90 days.
import { jstDaysUntil } from '../../domain/time.js';
import type { ApiStatus } from '../contract.js';
import { ORDERS_APIS, ORDERS_V0_CUTOFF } from './constants.js';
import { ordersApiOf } from './settings.js';

export const AMAZON_API_LABELS = {
  '2026-01-01': 'Orders API 2026-01-01',
  v0: 'Orders API v0',
} as const;

/** From this many days before the cut-off the warning says so first (至急). */
export const V0_URGENT_DAYS = 90;

const SWITCH =
  'settings の ordersApi を "2026-01-01" にしてください（ordersApi を消しても 2026-01-01 になります）。';

export function amazonApiStatus(settings: Record<string, unknown>, now: Date): ApiStatus {
  const set = settings.ordersApi;
  if (set !== undefined && !(ORDERS_APIS as readonly unknown[]).includes(set))
    return {
      api: AMAZON_API_LABELS['2026-01-01'],
      warnings: [
        `settings の ordersApi「${String(set)}」は読めません（"2026-01-01" か "v0"）。このままでは取り込みが設定エラーで止まります。`,
      ],
    };
  const api = ordersApiOf(settings);
  if (api === '2026-01-01') return { api: AMAZON_API_LABELS[api], warnings: [] };
  const days = jstDaysUntil(now, ORDERS_V0_CUTOFF);
  const warning =
    days < 0
      ? `Orders API v0 は ${ORDERS_V0_CUTOFF} に使えなくなりました（Amazon の移行期限）。この店舗の取り込みは失敗します。${SWITCH}`
      : days === 0
        ? `至急: Orders API v0 は今日（${ORDERS_V0_CUTOFF}）使えなくなります。${SWITCH}`
        : days <= V0_URGENT_DAYS
          ? `至急: Orders API v0 はあと ${days} 日、${ORDERS_V0_CUTOFF} に使えなくなります。${SWITCH}`
          : `Orders API v0 は ${ORDERS_V0_CUTOFF} に使えなくなります（Amazon の移行期限、あと ${days} 日）。${SWITCH}`;
  return { api: AMAZON_API_LABELS.v0, warnings: [warning] };
}
