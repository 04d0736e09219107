// Sign-in views shared by the API and the console (dependency-free).

export type RoleName = 'viewer' | 'responder' | 'admin';
export const ROLE_NAMES: readonly RoleName[] = ['viewer', 'responder', 'admin'];

/** GET /api/auth/me: who the console is signed in as. */
export interface Me {
  mode: 'disabled' | 'oidc' | 'basic' | 'both' | 'proxy';
  name: string | null;
  role: RoleName | null;
  via: 'session' | 'token' | 'proxy' | 'open' | null;
  canSignOut: boolean;
}

/** GET /api/admin/users */
export interface UserView {
  userId: string;
  email: string;
  name: string | null;
  role: string;
  origin: string;
  disabled: boolean;
  createdAt: string;
}

/** GET /api/admin/audit */
export interface AuditEntry {
  seq: number;
  at: string;
  type: string;
  actor: string | null;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}

/** GET /api/admin/tokens (never the secret) */
export interface ApiTokenView {
  id: string;
  name: string;
  role: RoleName;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsed: string | null;
}
