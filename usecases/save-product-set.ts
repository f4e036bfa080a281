// Operation: セット商品 — say what a set (a product of the master) is made of: components × quantities,
// plain products only (a set never contains itself or another set, nor is a set a component of
// one). Orders for the set then hold its components (db/stock.ts). The composition is fixed while
// any open order line of the set may still hold or need stock: its reservations were made by it.
// The dashboard's セット商品 screen, `juchu sets` and the admin API all come here.
//
// One transaction: the set's product row is locked first (an order line naming the set takes a key
// share lock on it, so a line being written meanwhile is either counted as open here or waits for
// the new composition), then every rule is checked and the components are replaced.
import {
  isComponent,
  lockSetProduct,
  openLinesOfSet,
  replaceComponents,
  setCodesAmong,
} from '../db/product-sets.js';
import { productExists } from '../db/products.js';
import { recordStockActions } from '../db/stock-push.js';
import { RuleRefusal } from '../domain/refusal.js';
import { checkComposition, type SetComponent } from '../domain/sets.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export interface SavedSet {
  setCode: string;
  components: SetComponent[];
  message: string;
}

/** Makes `setCode` a set of these components (none: a plain product again). */
export async function setProductComponents(
  deps: UseCaseDeps,
  input: { setCode: string; components: readonly SetComponent[] },
): Promise<SavedSet> {
  const setCode = input.setCode.trim();
  return withTransaction(deps.db, async (trx) => {
    if (!(await lockSetProduct(trx, setCode)))
      throw new RuleRefusal(`商品コード ${setCode} は商品マスタにありません`, 'not_found');
    const sets = await setCodesAmong(
      trx,
      input.components.map((c) => c.productCode.trim()),
    );
    const components = checkComposition(setCode, input.components, (p) => sets.has(p));
    for (const c of components)
      if (!(await productExists(trx, c.productCode)))
        throw new RuleRefusal(`構成品 ${c.productCode} は商品マスタにありません`, 'unknown_product');
    if (components.length && (await isComponent(trx, setCode)))
      throw new RuleRefusal(`${setCode} は他のセットの構成品です。セットにはできません`, 'set_in_set');
    const open = await openLinesOfSet(trx, setCode);
    if (open > 0)
      throw new RuleRefusal(
        `${setCode} は未出荷の注文 ${open} 行で使われています。出荷・キャンセルの後に構成を変えてください`,
        'set_in_use',
      );
    await replaceComponents(trx, setCode, components);
    // 在庫連携: the set's quantity is its new components' (the outbox sweep delivers it).
    await recordStockActions(trx, [setCode], { now: deps.now(), actor: 'sets' });
    return {
      setCode,
      components,
      message: components.length
        ? `${setCode} はセット商品です: ${components.map((c) => `${c.productCode}×${c.quantity}`).join('、')}`
        : `${setCode} はセット商品ではなくなりました`,
    };
  });
}

/** A set no longer: its components go (refused while open lines use it, as any change). */
export function clearProductSet(deps: UseCaseDeps, input: { setCode: string }): Promise<SavedSet> {
  return setProductComponents(deps, { setCode: input.setCode, components: [] });
}
