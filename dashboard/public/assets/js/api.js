// fetch with the session's CSRF token on every state change, JSON in and out, uploads as raw bodies.

export class ApiError extends Error {
  constructor(status, message, code, data) {
    super(message);
    this.status = status;
    this.code = code;
    /** The answer's body (a refused upload lists its bad rows there). */
    this.data = data;
  }
}

let me = null;

export async function getMe() {
  me ??= await api('GET', '/api/me');
  return me;
}

const RANK = { viewer: 0, operator: 1, admin: 2 };
export function can(role, needed) {
  return RANK[role] >= RANK[needed];
}

export async function api(method, url, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = (await getMe()).csrfToken;
  let payload;
  if (body instanceof Blob) {
    payload = body;
    headers['content-type'] = 'application/octet-stream';
    headers['x-file-name'] = encodeURIComponent(body.name ?? 'upload.csv');
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new ApiError(401, 'ログインしてください', 'unauthenticated');
  }
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, data?.message ?? `エラー (${res.status})`, data?.error, data);
  return data;
}

export const get = (url) => api('GET', url);

/** '/api/orders' + { a: 1, b: '' } → '/api/orders?a=1' */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
