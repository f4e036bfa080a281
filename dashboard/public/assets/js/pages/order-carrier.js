// 受注詳細 → 出荷（運送会社）: the order's carrier and which rule chose it; an operator changes it
// before the shipping instruction (or gives it back to the rules) and sets the parcel count (個口);
// the tracking numbers per package once the carrier's result file came back.
import { api, get } from '../api.js';
import { fill, h, notice, select, table } from '../dom.js';

export function carrierCard(orderId, ctx) {
  const card = h('section', { class: 'card wide', id: 'order-carrier' }, h('h3', null, '出荷（運送会社）'));
  const msg = h('div');
  const body = h('div');
  card.append(msg, body);

  async function load() {
    const [c, meta] = await Promise.all([
      get(`/api/orders/${orderId}/carrier`),
      get('/api/carrier-settings'),
    ]);
    const op = ctx.can('operator');
    const parts = [
      h(
        'p',
        null,
        h('strong', { id: 'order-carrier-label' }, c.label ?? '未定'),
        ' ',
        h('small', { class: 'muted', id: 'order-carrier-reason' }, c.reason),
      ),
      h('p', null, `荷物 ${c.packages.length} 件、個口 ${c.parcels}`),
    ];
    if (op && !c.instructed) {
      const options = meta.carriers.map((x) => [x.code, x.label]);
      const carrierSel = select('carrier', options, c.carrier ?? 'yamato', { id: 'order-carrier-select' });
      const methodWrap = h('span');
      const methods = () => {
        const m = meta.carriers.find((x) => x.code === carrierSel.value)?.methods ?? [];
        fill(
          methodWrap,
          select('method', m.length ? m : [['', '—']], c.method ?? m[0]?.[0] ?? '', {
            id: 'order-method-select',
          }),
        );
      };
      methods();
      carrierSel.addEventListener('change', () => {
        c.method = null;
        methods();
      });
      const send = async (body) => {
        try {
          const r = await api('POST', `/api/orders/${orderId}/carrier`, body);
          fill(msg, notice('ok', r.message));
          await load();
        } catch (e) {
          fill(msg, notice('error', e.message));
        }
      };
      parts.push(
        h(
          'div',
          { class: 'row' },
          carrierSel,
          methodWrap,
          h(
            'button',
            {
              type: 'button',
              id: 'order-carrier-save',
              onclick: () =>
                send({
                  choice: {
                    carrier: carrierSel.value,
                    method: methodWrap.querySelector('select').value || null,
                  },
                }),
            },
            'この運送会社にする',
          ),
          c.source === 'operator'
            ? h('button', { type: 'button', onclick: () => send({ choice: null }) }, '配送ルールに戻す')
            : null,
        ),
      );
    }
    if (op && !c.shipped) {
      const parcels = h('input', {
        type: 'number',
        min: 1,
        max: 99,
        value: String(c.parcels),
        id: 'order-parcels',
        size: 3,
      });
      parts.push(
        h(
          'div',
          { class: 'row' },
          '個口数 ',
          parcels,
          h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                try {
                  const r = await api('POST', `/api/orders/${orderId}/carrier`, {
                    parcels: Number(parcels.value),
                  });
                  fill(msg, notice('ok', r.message));
                  await load();
                } catch (e) {
                  fill(msg, notice('error', e.message));
                }
              },
            },
            '個口数を保存',
          ),
        ),
      );
    }
    if (c.tracking.length)
      parts.push(
        table(
          [
            { label: '荷物', cell: (p) => p.packageNo, class: 'num' },
            { label: '運送会社', cell: (p) => p.carrier },
            { label: '伝票番号', cell: (p) => p.trackingNumber, class: 'mono' },
            { label: '出荷日', cell: (p) => p.shippedOn },
          ],
          c.tracking,
          { id: 'order-tracking' },
        ),
      );
    fill(body, parts);
  }
  return { card, load };
}
