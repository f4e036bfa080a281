// The printed documents as PDF (A4, no browser): pdfkit lays out what domain/documents.ts decided,
// with BIZ UDPGothic embedded (fontkit subsets it: only the glyphs used travel in the file). The
// font ships in an npm package (@expo-google-fonts/biz-udpgothic, SIL OFL 1.1), so a clean machine
// has it without fonts-noto-cjk. CreationDate is the document's own date, never the clock, so the
// same input gives the same bytes. Not an operation: the print-*.ts operations call it.
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { DeliveryNote, PickingList } from '../domain/documents.js';

const require = createRequire(import.meta.url);
const FONT = {
  regular: require.resolve('@expo-google-fonts/biz-udpgothic/400Regular/BIZUDPGothic_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/biz-udpgothic/700Bold/BIZUDPGothic_700Bold.ttf'),
};

const A4 = { width: 595.28, height: 841.89 };
const M = 40;
const RIGHT = A4.width - M;
const BOTTOM = A4.height - M - 20;

type Doc = InstanceType<typeof PDFDocument>;

function open(title: string, date: string): { doc: Doc; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    margin: M,
    autoFirstPage: false,
    info: {
      Title: title,
      Creator: 'juchu',
      Producer: 'juchu (pdfkit)',
      // The document's own date (JST midnight): the same input gives the same bytes.
      CreationDate: new Date(`${date}T00:00:00+09:00`),
    },
  });
  doc.registerFont('jp', FONT.regular);
  doc.registerFont('jp-bold', FONT.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

interface Column {
  title: string;
  width: number;
  align?: 'left' | 'right' | 'center';
}

/** A table row at y; returns the y below it (the tallest cell decides). */
function row(doc: Doc, cols: readonly Column[], cells: readonly string[], y: number, bold = false): number {
  doc.font(bold ? 'jp-bold' : 'jp').fontSize(9);
  let x = M;
  let h = 0;
  cols.forEach((c, i) => {
    h = Math.max(h, doc.heightOfString(cells[i] ?? '', { width: c.width - 6 }));
  });
  cols.forEach((c, i) => {
    doc.text(cells[i] ?? '', x + 3, y + 3, { width: c.width - 6, align: c.align ?? 'left' });
    x += c.width;
  });
  const bottom = y + h + 6;
  doc
    .moveTo(M, bottom)
    .lineTo(M + cols.reduce((s, c) => s + c.width, 0), bottom)
    .lineWidth(0.5)
    .strokeColor('#999999')
    .stroke();
  return bottom;
}

function header(doc: Doc, cols: readonly Column[], y: number): number {
  const w = cols.reduce((s, c) => s + c.width, 0);
  doc.rect(M, y, w, 16).fillColor('#eeeeee').fill().fillColor('#000000');
  return row(
    doc,
    cols,
    cols.map((c) => c.title),
    y,
    true,
  );
}

function footer(doc: Doc, text: string): void {
  doc
    .font('jp')
    .fontSize(8)
    .fillColor('#555555')
    .text(text, M, A4.height - M - 10, { width: RIGHT - M, align: 'right', lineBreak: false })
    .fillColor('#000000');
}

const PICK_COLS: Column[] = [
  { title: '商品コード', width: 95 },
  { title: '商品名', width: 200 },
  { title: '数量', width: 45, align: 'right' },
  { title: '受注No × 数量', width: 140 },
  { title: '確認', width: 35, align: 'center' },
];

export async function renderPickingList(list: PickingList): Promise<Buffer> {
  const { doc, done } = open(`${list.title} 出荷バッチ${list.batchId}`, list.shipDate);
  let page = 0;
  const newPage = () => {
    doc.addPage();
    page += 1;
    footer(doc, `${list.title}  出荷バッチ ${list.batchId}  ${page}ページ`);
    return M;
  };
  let y = newPage();
  doc.font('jp-bold').fontSize(16).text(list.title, M, y);
  doc
    .font('jp')
    .fontSize(10)
    .text(`出荷バッチ ${list.batchId}　出荷日 ${list.shipDate}　注文 ${list.orders}件`, M, y + 24);
  y += 48;
  if (!list.warehouses.length) doc.font('jp').fontSize(10).text('ピッキングする商品はありません', M, y);
  for (const w of list.warehouses) {
    if (y > BOTTOM - 60) y = newPage();
    doc.font('jp-bold').fontSize(12).text(`倉庫 ${w.label}　${w.units}点`, M, y);
    y = header(doc, PICK_COLS, y + 18);
    for (const i of w.items) {
      const cells = [
        i.productCode ?? '（マスタなし）',
        i.name,
        String(i.quantity),
        i.orders.map((o) => `${o.orderNo}×${o.quantity}`).join('　'),
        '□',
      ];
      if (y > BOTTOM - 20) y = header(doc, PICK_COLS, newPage());
      y = row(doc, PICK_COLS, cells, y);
    }
    y += 16;
  }
  doc.end();
  return done;
}

const NOTE_COLS: Column[] = [
  { title: '商品コード', width: 90 },
  { title: '商品名', width: 215 },
  { title: '数量', width: 40, align: 'right' },
  { title: '単価（税込）', width: 85, align: 'right' },
  { title: '金額（税込）', width: 85, align: 'right' },
];

function notePage(doc: Doc, n: DeliveryNote): void {
  doc.addPage();
  footer(doc, `${n.title}  ${n.meta[0]?.[1] ?? ''}`);
  doc
    .font('jp-bold')
    .fontSize(18)
    .text(n.title, M, M, { width: RIGHT - M, align: 'center' });
  // Left: the recipient. Right: the store (and its 登録番号).
  let left = M + 40;
  doc.font('jp-bold').fontSize(13).text(n.recipient, M, left, { width: 260 });
  left += 20;
  doc.font('jp').fontSize(9);
  for (const line of n.recipientAddress) {
    doc.text(line, M, left, { width: 260 });
    left += 13;
  }
  let right = M + 40;
  const sx = 330;
  doc
    .font('jp-bold')
    .fontSize(11)
    .text(n.store.name, sx, right, { width: RIGHT - sx });
  right += 17;
  doc.font('jp').fontSize(9);
  for (const line of n.store.address) {
    doc.text(line, sx, right, { width: RIGHT - sx });
    right += 13;
  }
  if (n.store.registration) {
    doc.font('jp-bold').text(n.store.registration, sx, right, { width: RIGHT - sx });
    right += 13;
  }
  let y = Math.max(left, right) + 10;
  doc.font('jp').fontSize(9);
  for (const [k, v] of n.meta) {
    doc.text(`${k}：${v}`, M, y, { width: RIGHT - M });
    y += 13;
  }
  y += 4;
  doc.font('jp').fontSize(10).text('下記のとおり納品いたします。', M, y);
  y = header(doc, NOTE_COLS, y + 16);
  for (const l of n.lines) {
    if (y > BOTTOM - 20) {
      doc.addPage();
      footer(doc, `${n.title}  ${n.meta[0]?.[1] ?? ''}（続き）`);
      y = header(doc, NOTE_COLS, M);
    }
    y = row(doc, NOTE_COLS, [l.code, l.name, l.quantity, l.unitPrice, l.amount], y);
  }
  if (y > BOTTOM - 160) {
    doc.addPage();
    footer(doc, `${n.title}  ${n.meta[0]?.[1] ?? ''}（続き）`);
    y = M;
  }
  y += 8;
  const kx = 330;
  const pair = (k: string, v: string, bold = false) => {
    doc.font(bold ? 'jp-bold' : 'jp').fontSize(bold ? 11 : 9);
    doc.text(k, kx, y, { width: 130 });
    doc.text(v, kx + 130, y, { width: RIGHT - kx - 130, align: 'right' });
    y += bold ? 17 : 13;
  };
  for (const [k, v] of n.extras) pair(k, v);
  pair('合計（税込）', n.total, true);
  y += 4;
  doc.font('jp-bold').fontSize(9).text('税率ごとの合計', kx, y);
  y += 13;
  for (const [label, amount, tax] of n.rates) {
    doc.font('jp').fontSize(9);
    doc.text(label, kx, y, { width: 110 });
    doc.text(amount, kx + 105, y, { width: 60, align: 'right' });
    doc.text(tax, kx + 170, y, { width: RIGHT - kx - 170, align: 'right' });
    y += 13;
  }
  y += 10;
  doc.font('jp').fontSize(8);
  for (const note of n.notes) {
    doc.text(note, M, y, { width: RIGHT - M });
    y += 11;
  }
}

/** One 納品書 per order, each from a new page; `date` is the documents' date (CreationDate). */
export async function renderDeliveryNotes(notes: readonly DeliveryNote[], date: string): Promise<Buffer> {
  const { doc, done } = open(
    notes.length === 1 ? `${notes[0]!.title} ${notes[0]!.meta[0]?.[1] ?? ''}` : '納品書',
    date,
  );
  if (!notes.length) {
    doc.addPage();
    doc.font('jp').fontSize(10).text('納品書にする注文はありません', M, M);
  }
  for (const n of notes) notePage(doc, n);
  doc.end();
  return done;
}
