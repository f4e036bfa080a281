// When an import job does not import, and the words it says why in (Bull Board's log and progress,
// the run row of 取込履歴, the stores screen). Pure.
//  - A stopped store (停止中) imports nothing, whoever asks: an admin turns it on again.
//  - A store whose cart refused the credentials (要再登録) is not hammered by its schedule. Anything
//    a person starts — 今すぐ取込, a re-import, a retry of the failed job on Bull Board (a job that
//    has run before) — tries the credentials the store has now: that is how a fix is proven, and
//    a success clears 要再登録.

export interface SkipFacts {
  enabled: boolean;
  credentialState: 'ok' | 'needs_credentials';
}

export const SKIP_REASONS = {
  disabled: '店舗が停止中のため取り込みませんでした（EC店舗の「編集」で有効にすると再開します）',
  needsCredentials:
    '認証情報の再登録が必要なため、定期取込をしませんでした（EC店舗の「認証情報」で登録し直すと再開します。Bull Board でこのジョブを再試行すると、今の認証情報で取り込みます）',
  alreadyImported: 'この時間枠はすでに取り込み済みです',
  busy: '同じ店舗の取込が実行中のため、少し待ってからもう一度試します',
} as const;

/** Why this job should not import now, or null when it should. `retry`: the job has run before. */
export function importSkipReason(
  store: SkipFacts,
  /** What started the import: 'schedule', 'manual', 'reconcile', 'reimport', … */
  trigger: string,
  opts: { retry: boolean },
): string | null {
  if (!store.enabled) return SKIP_REASONS.disabled;
  if (store.credentialState === 'needs_credentials' && trigger === 'schedule' && !opts.retry)
    return SKIP_REASONS.needsCredentials;
  return null;
}

/**
 * The credentials banner's words for what the cart answered. The stored reason is the adapter's
 * technical line (`shopify graphqlOrders: HTTP 401: {…}`), kept for the admin as a tooltip; the
 * operator reads Japanese with the one fact that helps (the HTTP status).
 */
export function credentialProblemInWords(reason: string | null): string {
  const status = reason ? /\bHTTP (\d{3})\b/.exec(reason)?.[1] : undefined;
  // juchu's own reasons are Japanese already (credentials dropped on a host change): shown as they are.
  if (reason && !status && /[\u3040-\u30ff\u4e00-\u9fff]/.test(reason)) return reason;
  if (status === '401') return 'カートが認証情報を受け付けませんでした（HTTP 401: 期限切れか誤り）';
  if (status === '403') return 'カートがこの操作を許可していません（HTTP 403: 権限・スコープを確認）';
  if (reason && /refresh|token/i.test(reason)) return 'アクセストークンを更新できませんでした';
  return status ? `カートが認証を拒否しました（HTTP ${status}）` : 'カートが認証を拒否しました';
}
