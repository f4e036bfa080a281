// Orders as their documents see them (納品書, the 売上 records): the lines with the rate juchu counts
// (the cart's, else the product master's), the order's amounts, orderer and ship-to, and the store's
// name, address and 登録番号. Plain reads; `db` or `trx` first.
import { formatOrderNo } from '../domain/order.js';
import { parseStoreSettings } from '../domain/store-settings.js';
import { jstDate } from '../domain/time.js';
import type { Db } from './db.js';

export interface DocumentLine {
  id: number;
  lineNo: number;
  packageNo: number;
  productCode: string | null;
  cartProductCode: string;
  name: string;
  quantity: number;
  unitPrice: number;
  taxIncluded: boolean;
  rate: number | null;
}

export interface DocumentParty {
  name: string | null;
  postalCode: string | null;
  prefecture: string | null;
  address1: string | null;
  address2: string | null;
  phone: string | null;
}

export interface DocumentStore {
  id: number;
  code: string;
  name: string;
  postalCode: string | null;
  address1: string | null;
  address2: string | null;
  phone: string | null;
  registrationNumber: string | null;
  salesDateBasis: 'shipment' | 'order';
}

export interface DocumentOrder {
  id: number;
  orderNo: string;
  cartOrderNo: string;
  storeId: number;
  status: string;
  /** JST dates. */
  orderedOn: string;
  shipDate: string | null;
  shippedOn: string | null;
  paymentMethod: string | null;
  shipping: number | null;
  fees: number | null;
  discount: number | null;
  points: number | null;
  grandTotal: number | null;
  orderer: DocumentParty | null;
  shipTo: DocumentParty | null;
  lines: DocumentLine[];
}

const party = (p: {
  name: string | null;
  postal_code: string | null;
  prefecture: string | null;
  address1: string | null;
  address2: string | null;
  phone: string | null;
}): DocumentParty => ({
  name: p.name,
  postalCode: p.postal_code,
  prefecture: p.prefecture,
  address1: p.address1,
  address2: p.address2,
  phone: p.phone,
});

/** The orders in 受注No order (missing ids are left out). */
export async function loadDocumentOrders(db: Db, ids: readonly number[]): Promise<DocumentOrder[]> {
  if (!ids.length) return [];
  const list = [...new Set(ids)];
  const [orders, parties, lines] = await Promise.all([
    db
      .selectFrom('orders')
      .select([
        'id',
        'order_seq',
        'cart_order_no',
        'store_id',
        'status_code',
        'ordered_at',
        'ship_date',
        'shipped_at',
        'payment_method',
        'shipping_total',
        'delivery_fee',
        'fees_total',
        'discount_total',
        'points_total',
        'grand_total',
      ])
      .where('id', 'in', list)
      .orderBy('order_seq')
      .execute(),
    db
      .selectFrom('order_parties')
      .select([
        'order_id',
        'role',
        'package_no',
        'name',
        'postal_code',
        'prefecture',
        'address1',
        'address2',
        'phone',
      ])
      .where('order_id', 'in', list)
      .orderBy('package_no')
      .execute(),
    db
      .selectFrom('order_lines as l')
      .leftJoin('products as p', 'p.code', 'l.product_code')
      .select([
        'l.id',
        'l.order_id',
        'l.line_no',
        'l.package_no',
        'l.product_code',
        'l.cart_product_code',
        'l.name',
        'l.quantity',
        'l.unit_price',
        'l.tax_included',
        'l.tax_rate',
        'p.tax_rate as product_rate',
      ])
      .where('l.order_id', 'in', list)
      .orderBy('l.order_id')
      .orderBy('l.line_no')
      .execute(),
  ]);
  return orders.map((o) => {
    const mine = parties.filter((p) => p.order_id === o.id);
    const orderer = mine.find((p) => p.role === 'orderer');
    const shipTo = mine.find((p) => p.role === 'ship_to');
    return {
      id: o.id,
      orderNo: formatOrderNo(o.order_seq),
      cartOrderNo: o.cart_order_no,
      storeId: o.store_id,
      status: o.status_code,
      orderedOn: jstDate(o.ordered_at),
      shipDate: o.ship_date,
      shippedOn: o.shipped_at ? jstDate(o.shipped_at) : null,
      paymentMethod: o.payment_method,
      shipping: o.shipping_total ?? o.delivery_fee,
      fees: o.fees_total,
      discount: o.discount_total,
      points: o.points_total,
      grandTotal: o.grand_total,
      orderer: orderer ? party(orderer) : null,
      shipTo: shipTo ? party(shipTo) : null,
      lines: lines
        .filter((l) => l.order_id === o.id)
        .map((l) => ({
          id: l.id,
          lineNo: l.line_no,
          packageNo: l.package_no,
          productCode: l.product_code,
          cartProductCode: l.cart_product_code,
          name: l.name,
          quantity: l.quantity,
          unitPrice: l.unit_price,
          taxIncluded: l.tax_included,
          rate: l.tax_rate ?? l.product_rate ?? null,
        })),
    };
  });
}

/** Stores by id: the name and address the 納品書 prints (配送設定's ご依頼主), the 登録番号. */
export async function loadDocumentStores(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, DocumentStore>> {
  const out = new Map<number, DocumentStore>();
  if (!ids.length) return out;
  const rows = await db
    .selectFrom('stores as s')
    .leftJoin('store_shipping as x', 'x.store_id', 's.id')
    .select([
      's.id',
      's.code',
      's.name',
      's.settings',
      'x.sender_name',
      'x.sender_postal_code',
      'x.sender_address1',
      'x.sender_address2',
      'x.sender_phone',
    ])
    .where('s.id', 'in', [...new Set(ids)])
    .execute();
  for (const r of rows) {
    const settings = parseStoreSettings(r.settings);
    out.set(r.id, {
      id: r.id,
      code: r.code,
      name: r.sender_name || r.name,
      postalCode: r.sender_postal_code,
      address1: r.sender_address1,
      address2: r.sender_address2,
      phone: r.sender_phone,
      registrationNumber: settings.invoiceRegistrationNumber,
      salesDateBasis: settings.salesDateBasis,
    });
  }
  return out;
}

export interface PickRow {
  orderId: number;
  warehouse: string | null;
  warehouseName: string | null;
  productCode: string | null;
  name: string;
  /** Stock units to pick (a set's components one by one). */
  quantity: number;
}

/**
 * What to pick for the orders: their held stock by warehouse and product (a set's components as they
 * are held), what shipped lines took (shipped_from), and what no warehouse holds yet (warehouse null).
 */
export async function loadPickRows(db: Db, orderIds: readonly number[]): Promise<PickRow[]> {
  if (!orderIds.length) return [];
  const ids = [...new Set(orderIds)];
  const [held, lines, warehouses, products] = await Promise.all([
    db
      .selectFrom('reservations')
      .select(['order_id', 'order_line_id', 'product_code', 'warehouse_code'])
      .select((eb) => eb.fn.sum<number>('quantity').as('quantity'))
      .where('order_id', 'in', ids)
      .groupBy(['order_id', 'order_line_id', 'product_code', 'warehouse_code'])
      .execute(),
    db
      .selectFrom('order_lines')
      .select([
        'id',
        'order_id',
        'product_code',
        'name',
        'quantity',
        'units_per_cart_unit',
        'component_units',
        'reserved_quantity',
        'shipped_from',
      ])
      .where('order_id', 'in', ids)
      .orderBy('line_no')
      .execute(),
    db.selectFrom('warehouses').select(['code', 'name']).execute(),
    db.selectFrom('products').select(['code', 'name']).execute(),
  ]);
  const whName = new Map(warehouses.map((w) => [w.code, w.name]));
  const productName = new Map(products.map((p) => [p.code, p.name]));
  const out: PickRow[] = [];
  const heldByLine = new Map<number, number>();
  for (const h of held) {
    heldByLine.set(h.order_line_id, (heldByLine.get(h.order_line_id) ?? 0) + Number(h.quantity));
    out.push({
      orderId: h.order_id,
      warehouse: h.warehouse_code,
      warehouseName: whName.get(h.warehouse_code) ?? h.warehouse_code,
      productCode: h.product_code,
      name: productName.get(h.product_code) ?? h.product_code,
      quantity: Number(h.quantity),
    });
  }
  for (const l of lines) {
    const units = l.quantity * l.units_per_cart_unit * l.component_units;
    const name = (l.product_code && productName.get(l.product_code)) || l.name;
    if (l.shipped_from?.length) {
      for (const s of l.shipped_from)
        out.push({
          orderId: l.order_id,
          warehouse: s.warehouse,
          warehouseName: whName.get(s.warehouse) ?? s.warehouse,
          productCode: l.product_code,
          name,
          quantity: s.quantity,
        });
      continue;
    }
    const missing = units - (heldByLine.get(l.id) ?? 0);
    if (missing > 0)
      out.push({
        orderId: l.order_id,
        warehouse: null,
        warehouseName: null,
        productCode: l.product_code,
        name,
        quantity: missing,
      });
  }
  return out;
}
