// Values both makeshop APIs share: the order statuses juchu keeps (the classic API's codes, also for
// next-generation orders), the "not chosen" words of delivery dates and slots, and prefectures.
import { orNull } from '../normalize-kit.js';

/** status: 0 キャンセル, 1 通常, 99 仮注文 (payment not completed) [T]. */
export const MAKESHOP_CANCELLED = '0';

/** What a shop writes in the delivery date or slot when the buyer chose none. */
export const NOT_CHOSEN: ReadonlySet<string> = new Set(['指定なし', '希望なし', 'なし']);

/**
 * makeshop writes Tokyo as 「東京(23区内)」 / 「東京(23区外)」 (a shipping-zone name) [T: 30512708660];
 * every other prefecture by its name.
 */
export function prefectureOf(area: string | null | undefined): string | null {
  const a = orNull(area);
  if (!a) return null;
  return /^東京(\(|（|都|$)/.test(a) ? '東京都' : a;
}
