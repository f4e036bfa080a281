// juchu's carriers. Each cart module maps them to its own codes (`CartActions.carrierCode` in
// carts/actions.ts); carrier rules and label exports use the same names.
export const CARRIERS = ['yamato', 'sagawa', 'japanpost', 'seino', 'fukuyama', 'nittsu', 'other'] as const;
export type Carrier = (typeof CARRIERS)[number];

export const CARRIER_LABELS: Readonly<Record<Carrier, string>> = {
  yamato: 'ヤマト運輸',
  sagawa: '佐川急便',
  japanpost: '日本郵便',
  seino: '西濃運輸',
  fukuyama: '福山通運',
  nittsu: '日本通運',
  other: 'その他',
};
