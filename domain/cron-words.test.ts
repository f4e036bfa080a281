import { describe, expect, it } from 'vitest';
import { cronInWords } from './cron-words.js';
import { credentialProblemInWords } from './import-skip.js';

describe('cron schedules in words', () => {
  it.each([
    ['*/10 * * * *', '10分ごと'],
    ['* * * * *', '毎分'],
    ['5 * * * *', '毎時 5分'],
    ['0 3 * * *', '毎日 3:00'],
    ['30 9,18 * * *', '毎日 9:30・18:30'],
    ['0 */2 * * *', '2時間ごと（0分）'],
    ['*/5 9-18 * * *', '9時〜18時台に5分ごと'],
    ['15 8-20 * * *', '8時〜20時台の毎時 15分'],
    ['30 9 * * 1', '毎週月曜 9:30'],
    ['0 10 * * 1-5', '平日 10:00'],
    ['0 10 * * 0,6', '土日 10:00'],
    ['0 12 * * 1,3,5', '毎週月・水・金曜 12:00'],
    ['*/15 * * * 1-5', '平日 15分ごと'],
  ])('%s → %s', (expr, words) => {
    expect(cronInWords(expr)).toBe(words);
  });

  it.each([
    ['0 3 1 * *'], // monthly: not in words, the expression is shown
    ['61 * * * *'],
    ['every minute'],
    ['0 25 * * *'],
    ['0 18-9 * * *'],
    ['*/0 * * * *'],
    ['0 3 * * 8'],
    [''],
  ])('%s has no words (the screen shows the expression)', (expr) => {
    expect(cronInWords(expr)).toBeNull();
  });
});

describe('the credentials banner in words', () => {
  it('names the HTTP status in Japanese, never the adapter line', () => {
    expect(
      credentialProblemInWords('shopify graphqlOrders: HTTP 401: {"errors":"[API] Invalid API key"}'),
    ).toBe('カートが認証情報を受け付けませんでした（HTTP 401: 期限切れか誤り）');
    expect(credentialProblemInWords('rakuten searchOrder: HTTP 403: forbidden')).toContain('HTTP 403');
    expect(credentialProblemInWords('yahoo token refresh failed: invalid_grant')).toBe(
      'アクセストークンを更新できませんでした',
    );
    expect(credentialProblemInWords('接続先が変わったため認証情報を消しました')).toBe(
      '接続先が変わったため認証情報を消しました',
    );
    expect(credentialProblemInWords(null)).toBe('カートが認証を拒否しました');
  });
});
