// Operation: セット商品 — say what a set (a product of the master) is made of: components × quantities,
// plain products only (a set never contains itself or another set, nor is a set a component of
// one). Orders for the set then hold its components (db/stock.ts). The composition is fixed while
// any open order line of the set may still hold or need stock: its reservations were made by it.
import { isComponent, openLinesOfSet, replaceComponents, setCodesAmong } from '../db/product-sets.js';
import { productExists } from '../db/products.js';
import { RuleRefusal } from '../domain/refusal.js';
import { checkComposition, type SetComponent } from '../domain/sets.js';
import { withTransaction } from '../infra/postgres.js';
import type { UseCaseDeps } from './deps.js';

export async function setProductComponents(
  deps: UseCaseDeps,
  input: { setCode: string; components: readonly SetComponent[] },
): Promise<{ setCode: string; components: SetComponent[]; message: string }> {
  const setCode = input.setCode.trim();
  if (!(await productExists(deps.db, setCode)))
    throw new RuleRefusal(`商品コード ${setCode} は商品マスタにありません`, 'not_found');
  const sets = await setCodesAmong(
    deps.db,
    input.components.map((c) => c.productCode.trim()),
  );
  const components = checkComposition(setCode, input.components, (p) => sets.has(p));
  for (const c of components)
    if (!(await productExists(deps.db, c.productCode)))
      throw new RuleRefusal(`構成品 ${c.productCode} は商品マスタにありません`, 'unknown_product');
  if (components.length && (await isComponent(deps.db, setCode)))
    throw new RuleRefusal(`${setCode} は他のセットの構成品です。セットにはできません`, 'set_in_set');
  const open = await openLinesOfSet(deps.db, setCode);
  if (open > 0)
    throw new RuleRefusal(
      `${setCode} は未出荷の注文 ${open} 行で使われています。出荷・キャンセルの後に構成を変えてください`,
      'set_in_use',
    );
  await withTransaction(deps.db, (trx) => replaceComponents(trx, setCode, components));
  return {
    setCode,
    components,
    message: components.length
      ? `${setCode} はセット商品です: ${components.map((c) => `${c.productCode}×${c.quantity}`).join('、')}`
      : `${setCode} はセット商品ではなくなりました`,
  };
}
