// Password rules. Every password: 8 to 200 characters. An admin's, which can change everything, at
// least 12 and not guessable: not a well-known password or keyboard run with digits around it, not the
// login, not a few characters repeated. The demo's fixed passwords are public: they are allowed only
// for their own demo user outside production, and refused for everyone in production.

export const DEMO_PASSWORDS = {
  admin: 'juchu-admin',
  operator: 'juchu-operator',
  viewer: 'juchu-viewer',
} as const;

export const MIN_PASSWORD_LENGTH = 8;
export const MIN_ADMIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** What people pick when asked for a long password: these, with digits or symbols around them. */
const COMMON_WORDS = new Set([
  'password',
  'admin',
  'administrator',
  'root',
  'welcome',
  'letmein',
  'iloveyou',
  'changeme',
  'secret',
  'master',
  'dragon',
  'monkey',
  'sunshine',
  'football',
  'baseball',
  'princess',
  'trustnoi',
  'juchu',
  'shop',
  'tokyo',
  'japan',
  'nippon',
  'sakura',
]);
/** Keyboard rows and sequences, read cyclically and both ways: any stretch of them is no secret. */
const RUNS = [
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  'abcdefghijklmnopqrstuvwxyz',
  '1234567890',
  '1q2w3e4r5t6y7u8i9o0p',
];
/** p@ssw0rd is password. */
const LEET: Readonly<Record<string, string>> = {
  '@': 'a',
  '4': 'a',
  '0': 'o',
  '1': 'i',
  '!': 'i',
  '3': 'e',
  $: 's',
  '5': 's',
  '7': 't',
};

export function isDemoPassword(password: string): boolean {
  return (Object.values(DEMO_PASSWORDS) as string[]).includes(password);
}

function isRun(s: string): boolean {
  if (s.length < 3) return false;
  const back = [...s].reverse().join('');
  return RUNS.some((r) => (r + r).includes(s) || (r + r).includes(back));
}

/** `abcabcabcabc`, `passwordpassword`: a shorter unit written again and again. */
function repeats(s: string): boolean {
  for (let n = 1; n * 2 <= s.length; n++)
    if (
      s
        .slice(0, n)
        .repeat(Math.ceil(s.length / n))
        .slice(0, s.length) === s
    )
      return true;
  return false;
}

function guessable(password: string, login: string): string | null {
  const lower = password.toLowerCase();
  const name = login.trim().toLowerCase();
  if (name.length >= 3 && lower.includes(name)) return '管理者のパスワードにログイン名を含めないでください';
  // The word inside: digits and symbols around it dropped, leetspeak read back.
  const word = [...lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '')]
    .map((c) => LEET[c] ?? c)
    .join('')
    .replace(/[^a-z]/g, '');
  const weak =
    new Set(lower).size < 5 ||
    repeats(lower) ||
    isRun(lower.replace(/[^a-z0-9]/g, '')) ||
    COMMON_WORDS.has(word) ||
    isRun(word) ||
    (word.length >= 6 && repeats(word));
  return weak
    ? '管理者のパスワードに、よく使われるパスワードや単純な並び（password123、qwerty…）は使えません'
    : null;
}

/**
 * Why this password cannot be set for this user, in Japanese, or null if it can. `production`: the
 * process runs with NODE_ENV=production.
 */
export function passwordProblem(
  user: { login: string; role: 'viewer' | 'operator' | 'admin'; password: string },
  opts: { production: boolean },
): string | null {
  const { password } = user;
  if (isDemoPassword(password)) {
    if (opts.production)
      return 'デモ用の固定パスワードは本番環境（NODE_ENV=production）では使えません。別のパスワードにしてください';
    if ((DEMO_PASSWORDS as Record<string, string>)[user.login] === password) return null;
  }
  if (password.length < MIN_PASSWORD_LENGTH)
    return `パスワードは ${MIN_PASSWORD_LENGTH} 文字以上にしてください`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `パスワードは ${MAX_PASSWORD_LENGTH} 文字以下にしてください`;
  if (user.role !== 'admin') return null;
  if (password.length < MIN_ADMIN_PASSWORD_LENGTH)
    return `管理者のパスワードは ${MIN_ADMIN_PASSWORD_LENGTH} 文字以上にしてください`;
  return guessable(password, user.login);
}
