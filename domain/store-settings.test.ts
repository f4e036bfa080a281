// Checking a store's settings before they are stored: unknown keys name the closest known one, values
// are refused in Japanese naming the field, every `…Cron` key counts as a cron.

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closestKey, isCronSetting, settingsProblems, storeSettingsSchema } from './store-settings.js';

const cartSchema = z.object({
  pageSize: z.number().int().min(1).max(100).default(100),
  tokenUrl: z.string().optional(),
});

describe('store settings checks', () => {
  it('finds the closest known key for a typo, a case slip or a word of it', () => {
    const known = Object.keys(storeSettingsSchema.shape);
    expect(closestKey('reconcilCron', known)).toBe('reconcileCron');
    expect(closestKey('ReconcileCron', known)).toBe('reconcileCron');
    expect(closestKey('delivery_hold_days', known)).toBe('deliveryHoldDays');
    expect(closestKey('shippingCron', known)).toBe('shippingInstructionCron');
    expect(closestKey('colour', known)).toBeNull();
  });

  it('treats every setting named …Cron as a cron expression', () => {
    expect(['reconcileCron', 'shippingInstructionCron', 'stockPushCron', 'cron'].every(isCronSetting)).toBe(
      true,
    );
    expect(isCronSetting('cronless')).toBe(false);
  });

  it('names unknown keys and bad values, in Japanese, against all the schemas together', () => {
    const problems = settingsProblems(
      { pageSise: 10, pageSize: 500, deliveryHoldDays: 'ten', tokenUrl: 'https://x' },
      [storeSettingsSchema, cartSchema],
    );
    expect(problems).toEqual([
      { field: 'pageSise', message: '不明な設定です（pageSize のことですか？）' },
      { field: 'deliveryHoldDays', message: expect.stringContaining('数値') },
      { field: 'pageSize', message: expect.stringContaining('100') },
    ]);
    expect(
      settingsProblems({ pageSize: 20, reconcileCron: '0 4 * * *' }, [storeSettingsSchema, cartSchema]),
    ).toEqual([]);
  });

  it('lists the known keys when nothing is near', () => {
    const [p] = settingsProblems({ zzz: 1 }, [cartSchema]);
    expect(p?.message).toBe('不明な設定です（使えるのは pageSize, tokenUrl）');
  });
});
