import { describe, expect, it } from 'vitest';
import { isPersonalKey, REDACTED, redactPersonal } from './redact.js';

describe('redactPersonal (Bull Board job data and return values)', () => {
  it('keeps the codes and ids our job payloads carry', () => {
    const data = {
      storeCode: 'rakuten-main',
      cartOrderNo: '123456-20240422-0000001',
      trigger: 'manual',
      requestedBy: 'user:admin',
      slot: '1764115200000',
      productCodes: ['00000911245'],
      rejectId: 12,
    };
    expect(redactPersonal(data)).toEqual(data);
    const result = {
      store: 'amazon-jp',
      outcome: 'succeeded',
      window: { from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' },
      new: 3,
    };
    expect(redactPersonal(result)).toEqual(result);
  });

  it('masks names, kana, e-mails, phones and addresses by key and by value, at any depth', () => {
    const out = redactPersonal({
      storeCode: 'yahoo-main',
      orderer: { name: '山田 太郎', kana: 'ヤマダ タロウ' },
      buyerEmail: 'taro@example.jp',
      shipping_address: '東京都千代田区丸の内1-9-1',
      notes: ['連絡先 taro@example.jp', '090-1234-5678', '〒100-0005', 'ok'],
      お届け先氏名: '佐藤 花子',
      lines: [{ sku: 'TSE-0013-9124', qty: 1 }],
    }) as Record<string, unknown>;
    expect(out.storeCode).toBe('yahoo-main');
    expect(out.orderer).toBe(REDACTED);
    expect(out.buyerEmail).toBe(REDACTED);
    expect(out.shipping_address).toBe(REDACTED);
    expect(out.notes).toEqual([REDACTED, REDACTED, REDACTED, 'ok']);
    expect(out.お届け先氏名).toBe(REDACTED);
    expect(out.lines).toEqual([{ sku: 'TSE-0013-9124', qty: 1 }]);
  });

  it('tells personal keys from ours', () => {
    for (const k of [
      'name',
      'familyName',
      'email',
      'phone',
      'tel',
      'address1',
      'postalCode',
      'zip',
      'kana',
      'buyer_name',
    ])
      expect(isPersonalKey(k), k).toBe(true);
    for (const k of ['storeCode', 'cartOrderNo', 'jobName', 'queue', 'productCode', 'trigger'])
      expect(isPersonalKey(k), k).toBe(false);
  });

  it('survives odd input', () => {
    expect(redactPersonal(null)).toBeNull();
    expect(redactPersonal(42)).toBe(42);
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 50; i++) deep = deep.next = {} as Record<string, unknown>;
    expect(() => redactPersonal(root)).not.toThrow();
  });
});
