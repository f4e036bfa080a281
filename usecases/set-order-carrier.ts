// Operation: an operator chooses an order's carrier and method (before the shipping instruction:
// after it the label data may be out), or gives it back to the store's rules; and how many parcels
// (個口) it ships in (until it has shipped: packing decides). One event records what changed.
import { type Actor, lockOrder, recordEvent } from '../db/order-status.js';
import { storeCarrier, storeParcels } from '../db/shipping-orders.js';
import { carrierLabel, checkCarrierChoice } from '../domain/carrier-rules.js';
import type { Carrier } from '../domain/carriers.js';
import { formatOrderNo } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export interface SetOrderCarrierInput {
  orderId: number;
  /** A carrier and method; null gives the order back to the rules; absent leaves it. */
  choice?: { carrier: Carrier; method: string | null } | null;
  parcels?: number;
  actor: Actor;
}

export async function setOrderCarrier(
  deps: UseCaseDeps,
  input: SetOrderCarrierInput,
): Promise<{ message: string }> {
  if (
    input.parcels !== undefined &&
    (!Number.isInteger(input.parcels) || input.parcels < 1 || input.parcels > 99)
  )
    throw new RuleRefusal('個口数は1〜99にしてください', 'invalid_parcels');
  if (input.choice) {
    const bad = checkCarrierChoice(input.choice.carrier, input.choice.method);
    if (bad) throw new RuleRefusal(bad, 'invalid_carrier');
  }
  return withTransaction(deps.db, async (trx) => {
    const row = await lockOrder(trx, input.orderId);
    if (!row) throw new RuleRefusal(`注文 ${input.orderId} はありません`, 'not_found');
    const no = formatOrderNo(row.order_seq);
    const said: string[] = [];
    if (input.choice !== undefined) {
      if (row.shipping_instructed_at)
        throw new RuleRefusal(
          `受注No ${no}: 出荷指示の後は運送会社を変えられません（送り状データが出ているため）`,
          'already_instructed',
        );
      if (input.choice) {
        const label = carrierLabel(input.choice.carrier, input.choice.method);
        await storeCarrier(trx, row.id, {
          ...input.choice,
          source: 'operator',
          reason: `担当者が選択: ${label}（${input.actor}）`,
        });
        said.push(`運送会社を ${label} にしました`);
      } else {
        await storeCarrier(trx, row.id, { carrier: null, method: null, source: null, reason: null });
        said.push('運送会社を配送ルールに戻しました');
      }
    }
    if (input.parcels !== undefined && input.parcels !== row.ship_parcels) {
      if (row.shipped_at)
        throw new RuleRefusal(`受注No ${no}: 出荷完了の後は個口数を変えられません`, 'already_shipped');
      await storeParcels(trx, row.id, input.parcels);
      said.push(`個口数を ${input.parcels} にしました`);
    }
    if (said.length)
      await recordEvent(trx, row, { actor: input.actor, action: 'carrier', reason: said.join('、') });
    return { message: said.length ? `受注No ${no}: ${said.join('、')}` : `受注No ${no}: 変更はありません` };
  });
}
