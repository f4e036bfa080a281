// The login form posts JSON (so errors show in place); without scripts it posts as a plain form.
const form = document.getElementById('login-form');
const errorBox = document.getElementById('login-error');
const params = new URLSearchParams(location.search);
const next = params.get('next');
if (next?.startsWith('/') && !next.startsWith('//')) document.getElementById('next').value = next;

const MESSAGES = {
  invalid: 'ログイン名またはパスワードが違います',
  rate_limited: 'ログインの失敗が続いたため、しばらく待ってからお試しください',
  csrf: '別のサイトからのログインは受け付けません',
  demo_password: 'デモ用の固定パスワードは本番環境では使えません。管理者にパスワードを変えてもらってください',
};
function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = false;
}
if (params.get('error')) showError(MESSAGES[params.get('error')] ?? 'ログインできませんでした');

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = {
    login: document.getElementById('login').value,
    password: document.getElementById('password').value,
    next: document.getElementById('next').value,
  };
  try {
    const res = await fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    const data = await res.json().catch(() => ({}));
    if (res.ok) location.href = data.next ?? '/orders';
    else showError(data.message ?? MESSAGES[data.error] ?? `ログインできませんでした (${res.status})`);
  } catch (e) {
    showError(`サーバーに接続できません: ${e.message}`);
  }
});
