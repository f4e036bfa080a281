// DOM helpers. Every string from the server (cart data included) becomes a Text node or an
// attribute value set through the DOM — never markup — so `<script>` in a remark shows as text.

const SAFE_HREF = /^(\/(?!\/)|#|\?)/;

/** h('td', { class: 'num' }, 'text', childNode, [more]) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else if (k === 'disabled') el.disabled = Boolean(v);
    else if (k === 'selected') el.selected = Boolean(v);
    else if (k === 'href') {
      // Links are ours: a relative path. Anything else (javascript:, data:) is dropped.
      if (SAFE_HREF.test(String(v))) el.setAttribute('href', String(v));
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replaces an element's children (arrays flattened, strings as text). */
export function fill(el, ...children) {
  clear(el);
  return append(el, children);
}

export function yen(n, currency = 'JPY') {
  if (n === null || n === undefined) return '—';
  if (currency && currency !== 'JPY')
    return `${(n / 100).toLocaleString('ja-JP', { minimumFractionDigits: 2 })} ${currency}`;
  return `¥${Number(n).toLocaleString('ja-JP')}`;
}

/** '2024-04-22T10:03:12+09:00' → '2024-04-22 10:03' (times arrive in Japan time already). */
export function dt(iso) {
  if (!iso) return '—';
  return String(iso).slice(0, 16).replace('T', ' ');
}

export function ago(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${seconds} 秒`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} 分`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} 時間`;
  return `${Math.round(seconds / 86400)} 日`;
}

export const dash = (v) => (v === null || v === undefined || v === '' ? '—' : v);

/** A table from column definitions: [{ label, cell: row => node|string, class }]. */
export function table(columns, rows, opts = {}) {
  return h(
    'table',
    { class: `grid ${opts.class ?? ''}`, id: opts.id },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        columns.map((c) => h('th', { class: c.class, scope: 'col' }, c.head ?? c.label)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.length
        ? rows.map((r) =>
            h(
              'tr',
              { class: opts.rowClass?.(r), dataset: opts.rowData?.(r) },
              columns.map((c) => h('td', { class: c.class }, c.cell(r))),
            ),
          )
        : h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, opts.empty ?? 'ありません')),
    ),
  );
}

export function field(label, control, hint) {
  return h(
    'label',
    { class: 'field' },
    h('span', null, label),
    control,
    hint ? h('small', { class: 'muted' }, hint) : null,
  );
}

export function select(name, options, value, props = {}) {
  return h(
    'select',
    { name, id: props.id ?? name, ...props },
    options.map(([v, label]) =>
      h('option', { value: v, selected: String(v) === String(value ?? '') }, label),
    ),
  );
}

export function notice(kind, ...text) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...text);
}

/** Per-order results of a bulk action: ✓/✗, 受注No, message. */
export function resultsTable(results, title = '結果') {
  const ok = results.filter((r) => r.ok).length;
  return h(
    'section',
    { class: 'results', id: 'results' },
    h('h3', null, `${title}: ${ok} 件成功 / ${results.length - ok} 件不可`),
    table(
      [
        { label: '', cell: (r) => (r.ok ? '✓' : '✗'), class: 'mark' },
        {
          label: '受注No',
          cell: (r) => (r.orderId ? h('a', { href: `/orders/${r.orderId}` }, r.orderNo) : r.orderNo),
        },
        { label: '結果', cell: (r) => r.message },
      ],
      results,
      { rowClass: (r) => (r.ok ? 'ok' : 'ng'), empty: '対象の注文はありませんでした' },
    ),
  );
}

export function lines(list) {
  return h('pre', { class: 'lines' }, list.join('\n'));
}

/** Reads a form's named controls into an object of trimmed strings (empty ones left out). */
export function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  }
  return out;
}
