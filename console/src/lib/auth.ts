import type { ApiTokenView, AuditEntry, Me, RoleName, UserView } from '../../../src/contract/auth.js';
import { ApiError, getJSON } from './api';

let me: Promise<Me> | undefined;
/** Who is signed in (fetched once per page load). */
export const getMe = () =>
  (me ??= getJSON<Me>('/api/auth/me').catch(() => ({
    mode: 'disabled' as const,
    name: null,
    role: null,
    via: null,
    canSignOut: false,
  })));

async function post<T>(path: string, body: object): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as T & { message?: string; hint?: string };
  if (!res.ok) throw new ApiError(res.status, data.message ?? `${res.status}`, data.hint ?? null);
  return data;
}

/** Signs out here (or everywhere), then shows the sign-in page. */
export async function signOut(everywhere: boolean) {
  await post('/api/auth/logout', { everywhere });
  location.assign('/login');
}

export const listUsers = () => getJSON<{ users: UserView[] }>('/api/admin/users');
export const addUser = (b: { email: string; role: RoleName; password: string | null }) =>
  post<{ userId: string }>('/api/admin/users', b);
export const setRole = (id: string, role: RoleName) => post(`/api/admin/users/${id}/role`, { role });
export const setDisabled = (id: string, disabled: boolean) =>
  post(`/api/admin/users/${id}/${disabled ? 'disable' : 'enable'}`, {});
export const resetPassword = (id: string, password: string) =>
  post(`/api/admin/users/${id}/reset-password`, { password });

export const listTokens = () => getJSON<{ tokens: ApiTokenView[] }>('/api/admin/tokens');
export const createToken = (b: { name: string; role: RoleName; days: number }) =>
  post<{ id: string; token: string; expiresAt: string }>('/api/admin/tokens', b);
export const revokeToken = (id: string) => post(`/api/admin/tokens/${id}/revoke`, {});

export const listAudit = (before?: number) =>
  getJSON<{ entries: AuditEntry[] }>(`/api/admin/audit?limit=200${before ? `&before=${before}` : ''}`);
