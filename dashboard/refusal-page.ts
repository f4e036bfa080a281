// The page a person sees when a screen is not theirs to open (a viewer or an operator opening an
// admin screen) or is not there: Japanese, with who they are signed in as and a way back — never
// raw JSON. API routes keep answering JSON. Every value is escaped; the page loads only our CSS.
import type { Response } from 'express';
import type { Role } from './http.js';

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  viewer: '閲覧',
  operator: '担当者',
  admin: '管理者',
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function refusalHtml(p: { title: string; message: string; detail?: string }): string {
  return `<!doctype html>
<html lang="ja">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(p.title)} — juchu 受注</title>
  <link rel="stylesheet" href="/assets/css/app.css">
</head>
<body class="login-page">
  <main class="login-box refusal" id="refusal">
    <h1>受注 <small>juchu</small></h1>
    <h2 id="refusal-title">${escapeHtml(p.title)}</h2>
    <p id="refusal-message">${escapeHtml(p.message)}</p>
    ${p.detail ? `<p class="muted" id="refusal-detail">${escapeHtml(p.detail)}</p>` : ''}
    <p><a href="/orders" id="refusal-back">EC受注一覧へ戻る</a></p>
  </main>
</body>
</html>
`;
}

/** 403: the screen needs a higher role than the signed-in user has. */
export function sendForbiddenPage(
  res: Response,
  user: { displayName: string; role: Role },
  needed: Role,
): void {
  res
    .status(403)
    .set('cache-control', 'no-store')
    .type('html')
    .send(
      refusalHtml({
        title: 'この画面を開く権限がありません',
        message: `この画面は「${ROLE_LABELS[needed]}」以上の権限の人だけが開けます。必要なら管理者に権限の変更を頼んでください。`,
        detail: `ログイン中: ${user.displayName}（${ROLE_LABELS[user.role]}）`,
      }),
    );
}

/** 404: no screen at this address. */
export function sendNotFoundPage(res: Response): void {
  res
    .status(404)
    .set('cache-control', 'no-store')
    .type('html')
    .send(
      refusalHtml({
        title: 'ページがありません',
        message: 'このアドレスの画面はありません。上のメニューやブックマークを確かめてください。',
      }),
    );
}
