// Operation: a product's サイズ区分 (mail, 60 … 200), which the carrier rules read (the order's largest
// line). null clears it.
import { isSizeClass, SIZE_CLASSES, type SizeClass } from '../domain/carrier-rules.js';
import { RuleRefusal } from '../domain/refusal.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export async function setProductSize(
  deps: UseCaseDeps,
  input: { productCode: string; sizeClass: SizeClass | null },
): Promise<void> {
  if (input.sizeClass !== null && !isSizeClass(input.sizeClass))
    throw new RuleRefusal(`サイズ区分は ${SIZE_CLASSES.join(', ')} のどれかにしてください`, 'invalid_size');
  await withTransaction(deps.db, async (trx) => {
    const r = await trx
      .updateTable('products')
      .set({ size_class: input.sizeClass, updated_at: new Date() })
      .where('code', '=', input.productCode)
      .executeTakeFirst();
    if (!r.numUpdatedRows)
      throw new RuleRefusal(`商品「${input.productCode}」は商品マスタにありません`, 'not_found');
  });
}
