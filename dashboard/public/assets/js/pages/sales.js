// 売上: per store and day the totals of the sales records (売上, 値引, ポイント, 返品; 10% / 8% with
// their tax), the daily sales CSV for accounting (UTF-8 BOM or Shift_JIS), the records of the period,
// and 返品 of a shipped order's lines (by 受注No). Operators and admins.
import { api, get, withQuery } from '../api.js';
import { field, fill, formValues, h, notice, select, table, yen } from '../dom.js';

const today = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

export async function render(main) {
  const { stores } = await get('/api/stores');
  const params = new URLSearchParams(location.search);
  const form = h(
    'form',
    { class: 'filters', id: 'sales-filters' },
    field(
      '店舗',
      select('store', [['', 'すべて'], ...stores.map((s) => [s.code, s.name])], params.get('store') ?? ''),
    ),
    field(
      '開始日',
      h('input', { type: 'date', name: 'from', id: 'from', value: `${today().slice(0, 8)}01` }),
    ),
    field('終了日', h('input', { type: 'date', name: 'to', id: 'to', value: today() })),
    field(
      '文字コード（CSV）',
      select(
        'encoding',
        [
          ['utf8', 'UTF-8（BOM付き）'],
          ['sjis', 'Shift_JIS'],
        ],
        'utf8',
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, '表示'),
      h('a', { id: 'sales-csv', class: 'button', href: '/api/sales/export' }, '日別売上CSV'),
    ),
  );
  const out = h('div', { id: 'sales-out' });
  const daily = h('div', { id: 'sales-daily' });
  const records = h('div', { id: 'sales-records' });
  const returns = h('section', { class: 'card wide', id: 'sales-return' });
  main.append(
    h('h1', null, '売上'),
    h(
      'p',
      { class: 'muted' },
      '出荷完了で売上を記録します（売上日は出荷日。店舗設定 salesDateBasis: "order" で受注日）。値引・ポイント・返品はマイナスの記録です。消費税は記録ごと・税率ごとに1円未満切り捨て。',
    ),
    form,
    out,
    daily,
    records,
    returns,
  );

  const csvLink = form.querySelector('#sales-csv');
  async function load() {
    const q = formValues(form);
    csvLink.setAttribute('href', withQuery('/api/sales/export', q));
    try {
      const d = await get(withQuery('/api/sales/daily', q));
      const money = (k) => ({ label: LABELS[k], cell: (r) => yen(r[k]), class: 'num' });
      fill(
        daily,
        h('h2', null, `日別・店舗別（${d.period.from} 〜 ${d.period.to}）`),
        table(
          [
            { label: '売上日', cell: (r) => r.date, class: 'nowrap' },
            { label: '店舗', cell: (r) => r.storeName },
            { label: '件数', cell: (r) => String(r.orders), class: 'num' },
            ...[
              'sale',
              'discount',
              'points',
              'returns',
              'amount10',
              'tax10',
              'amount8',
              'tax8',
              'amount0',
              'total',
            ].map(money),
          ],
          [...d.days, ...(d.days.length > 1 ? [{ date: '合計', storeName: '', ...d.totals }] : [])],
          {
            id: 'sales-daily-table',
            empty: 'この期間の売上はありません',
            rowClass: (r) => (r.date === '合計' ? 'total' : null),
          },
        ),
      );
      const r = await get(withQuery('/api/sales/records', q));
      fill(
        records,
        h(
          'details',
          null,
          h('summary', null, `記録 ${r.records.length} 件`),
          table(
            [
              { label: '売上日', cell: (x) => x.salesDate, class: 'nowrap' },
              { label: '種別', cell: (x) => (x.kind === 'return' ? `返品${x.seq}` : x.kindLabel) },
              {
                label: '受注No',
                cell: (x) => h('a', { href: `/orders/${x.orderId}` }, x.orderNo),
                class: 'mono',
              },
              { label: '店舗', cell: (x) => x.storeCode },
              { label: '10%対象', cell: (x) => yen(x.amount10), class: 'num' },
              { label: '10%税', cell: (x) => yen(x.tax10), class: 'num' },
              { label: '8%対象', cell: (x) => yen(x.amount8), class: 'num' },
              { label: '8%税', cell: (x) => yen(x.tax8), class: 'num' },
              { label: '合計', cell: (x) => yen(x.total), class: 'num' },
              { label: '理由・担当', cell: (x) => [x.reason, x.createdBy].filter(Boolean).join(' / ') },
            ],
            r.records,
            { id: 'sales-records-table' },
          ),
        ),
      );
    } catch (e) {
      fill(out, notice('error', e.message));
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    fill(out);
    load();
  });

  // 返品: find the order, enter quantities per line, book it.
  const orderNo = h('input', {
    name: 'orderNo',
    id: 'return-order',
    inputmode: 'numeric',
    placeholder: '00000001',
  });
  const area = h('div', { id: 'return-lines' });
  fill(
    returns,
    h('h2', null, '返品'),
    h(
      'form',
      {
        class: 'filters',
        onsubmit: (e) => {
          e.preventDefault();
          showOrder();
        },
      },
      field('受注No', orderNo),
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'return-find' }, '明細を表示')),
    ),
    area,
  );

  async function showOrder() {
    const no = orderNo.value.trim().replace(/^0+/, '');
    if (!/^\d+$/.test(no)) return fill(area, notice('error', '受注No を数字で入れてください'));
    let d;
    try {
      d = await get(`/api/sales/orders/${no}`);
    } catch (e) {
      return fill(area, notice('error', e.message));
    }
    if (!d.sold)
      return fill(
        area,
        notice('error', `受注No ${d.order.orderNo} は売上がありません（出荷完了の注文だけ返品できます）`),
      );
    const inputs = new Map();
    const reason = h('input', { name: 'reason', id: 'return-reason', maxlength: '200' });
    fill(
      area,
      table(
        [
          { label: '明細', cell: (l) => String(l.lineNo), class: 'num' },
          { label: '商品名', cell: (l) => `${l.name}${l.rate === 8 ? ' ※' : ''}` },
          { label: '出荷数', cell: (l) => String(l.quantity), class: 'num' },
          { label: '返品できる数', cell: (l) => String(l.returnable), class: 'num' },
          {
            label: '返品数',
            cell: (l) => {
              const i = h('input', {
                type: 'number',
                min: '0',
                max: String(l.returnable),
                value: '0',
                class: 'qty',
                id: `return-qty-${l.lineNo}`,
                disabled: l.returnable === 0,
              });
              inputs.set(l.id, i);
              return i;
            },
          },
        ],
        d.lines,
        { id: 'return-lines-table' },
      ),
      field('返品理由', reason),
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          id: 'return-submit',
          onclick: async () => {
            const lines = [...inputs]
              .map(([lineId, i]) => ({ lineId, quantity: Number(i.value) }))
              .filter((l) => l.quantity > 0);
            try {
              const r = await api('POST', '/api/sales/returns', {
                orderId: d.order.id,
                lines,
                reason: reason.value || null,
              });
              fill(
                out,
                notice(
                  'ok',
                  `受注No ${r.orderNo} の返品${r.seq}を記録しました（${yen(r.record.total)}、売上日 ${r.salesDate}）`,
                ),
              );
              await Promise.all([showOrder(), load()]);
            } catch (e) {
              fill(out, notice('error', e.message));
            }
          },
        },
        '返品を記録',
      ),
    );
  }

  if (params.get('order')) {
    orderNo.value = params.get('order');
    await showOrder();
  }
  await load();
}

const LABELS = {
  sale: '売上',
  discount: '値引',
  points: 'ポイント',
  returns: '返品',
  amount10: '10%対象',
  tax10: '10%税',
  amount8: '8%対象',
  tax8: '8%税',
  amount0: '対象外',
  total: '純売上',
};
