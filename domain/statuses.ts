// The spec's statuses (§2). Codes carry the rules and never change; labels are data (renameable per
// installation) and live in the `statuses` table. Custom statuses (system = false) are extra holding
// places inside a group: the seed's spare 出荷保留1 renamed to 予約注文 is one.
import type { StatusGroup } from './order.js';

export const S = {
  unknownProduct: 'unknown_product',
  needsCheck: 'needs_check',
  customerComment: 'customer_comment',
  reviewHold: 'review_hold',
  awaitingPayment: 'awaiting_payment',
  readyToShip: 'ready_to_ship',
  readyAfterStock: 'ready_after_stock',
  shipping: 'shipping',
  waiting: 'waiting',
  shipped: 'shipped',
  cancelRequested: 'cancel_requested',
  cancelling: 'cancelling',
  cancelled: 'cancelled',
} as const;

export type SystemStatus = (typeof S)[keyof typeof S];

/** 自動確認: not a status an order rests in, but the choice that runs the remaining checks. */
export const AUTO_CONFIRM = 'auto' as const;

export const STATUS_GROUPS: ReadonlyArray<{ group: StatusGroup; label: string }> = [
  { group: 'review', label: '受注内容の確認' },
  { group: 'payment', label: '入金状況の確認' },
  { group: 'fulfillment', label: '作業の進捗' },
  { group: 'cancellation', label: 'キャンセル対応' },
];

export interface StatusDef {
  code: string;
  group: StatusGroup;
  label: string;
  sortOrder: number;
  system: boolean;
}

/** A catalogue of statuses as loaded from the database, with lookups. */
export class StatusCatalogue {
  private readonly byCode: Map<string, StatusDef>;
  constructor(readonly all: readonly StatusDef[]) {
    this.byCode = new Map(all.map((s) => [s.code, s]));
  }
  get(code: string): StatusDef {
    const s = this.byCode.get(code);
    if (!s) throw new Error(`unknown status "${code}"`);
    return s;
  }
  has(code: string): boolean {
    return this.byCode.has(code);
  }
  label(code: string): string {
    return this.byCode.get(code)?.label ?? code;
  }
  groupOf(code: string): StatusGroup {
    return this.get(code).group;
  }
  inGroup(group: StatusGroup): StatusDef[] {
    return this.all.filter((s) => s.group === group).sort((a, b) => a.sortOrder - b.sortOrder);
  }
}

/** The default catalogue, as the first migration seeds it (used by pure tests). */
export const DEFAULT_STATUSES: readonly StatusDef[] = [
  { code: 'unknown_product', group: 'review', label: 'マスタなし商品', sortOrder: 110, system: true },
  { code: 'needs_check', group: 'review', label: '確認が必要な商品', sortOrder: 120, system: true },
  { code: 'customer_comment', group: 'review', label: 'お客様コメント確認', sortOrder: 130, system: true },
  { code: 'review_hold', group: 'review', label: '確認待ち保留', sortOrder: 140, system: true },
  { code: 'awaiting_payment', group: 'payment', label: '入金待ち', sortOrder: 210, system: true },
  { code: 'ready_to_ship', group: 'fulfillment', label: '新規受付分の出荷', sortOrder: 310, system: true },
  {
    code: 'ready_after_stock',
    group: 'fulfillment',
    label: '在庫確認後の出荷',
    sortOrder: 320,
    system: true,
  },
  { code: 'shipping', group: 'fulfillment', label: '出荷作業中', sortOrder: 330, system: true },
  { code: 'waiting', group: 'fulfillment', label: '在庫なし / 納期指定あり', sortOrder: 340, system: true },
  { code: 'shipped', group: 'fulfillment', label: '出荷完了', sortOrder: 350, system: true },
  { code: 'hold_1', group: 'fulfillment', label: '出荷保留1', sortOrder: 360, system: false },
  {
    code: 'cancel_requested',
    group: 'cancellation',
    label: 'キャンセル指示待ち',
    sortOrder: 410,
    system: true,
  },
  { code: 'cancelling', group: 'cancellation', label: 'キャンセル対応中', sortOrder: 420, system: true },
  { code: 'cancelled', group: 'cancellation', label: 'キャンセル済み', sortOrder: 430, system: true },
];
