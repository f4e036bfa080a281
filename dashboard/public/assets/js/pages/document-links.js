// 帳票 downloads (PDF, A4): a batch's picking list and its 納品書, one order's 納品書. Plain links to
// the API (the session cookie goes with them); operators and admins only.
import { h } from '../dom.js';

export function batchDocumentLinks(batchId) {
  return h(
    'div',
    { class: 'bulkbar', id: 'document-links' },
    h(
      'a',
      {
        class: 'button',
        id: 'picking-pdf',
        download: '',
        href: `/api/shipping/batches/${batchId}/picking.pdf`,
      },
      'ピッキングリスト（PDF）',
    ),
    h(
      'a',
      {
        class: 'button',
        id: 'delivery-notes-pdf',
        download: '',
        href: `/api/shipping/batches/${batchId}/delivery-notes.pdf`,
      },
      '納品書（バッチの全注文・PDF）',
    ),
  );
}

export function orderDocumentsCard(order, ctx) {
  if (!ctx.can('operator')) return null;
  return h(
    'section',
    { class: 'card', id: 'order-documents' },
    h('h3', null, '帳票・売上'),
    h(
      'div',
      { class: 'bulkbar' },
      h(
        'a',
        {
          class: 'button',
          id: 'delivery-note-pdf',
          download: '',
          href: `/api/orders/${order.id}/delivery-note.pdf`,
        },
        '納品書（PDF）',
      ),
      h(
        'a',
        { class: 'button', id: 'order-sales', href: `/sales?order=${Number(order.orderNo)}` },
        '売上・返品',
      ),
    ),
  );
}
