import type { AdminRole, CoreClient } from '@campus-card/core/client';
import { roleNames } from './rights.ts';

export interface DemoAdmin {
  username: string;
  password: string;
  role: AdminRole;
  roleName: string;
  department: string | null;
}

/** The demo's password for every demo account; never for a real deployment. */
export const demoAdminPassword = 'demo-admin-2026';

const demoAccounts: readonly Omit<DemoAdmin, 'password' | 'roleName'>[] = [
  { username: 'super', role: 'super_admin', department: null },
  { username: 'counter', role: 'card_operator', department: null },
  { username: 'finance', role: 'finance', department: null },
  { username: 'devices', role: 'device_admin', department: null },
  { username: 'editor', role: 'content_editor', department: null },
  { username: 'dept', role: 'department_admin', department: '计算机学院' },
  { username: 'auditor', role: 'auditor', department: null },
];

/**
 * One demo admin per role (password demoAdminPassword), made through the core so the launcher can
 * print them; an account that already exists is left as it is, so a restart is harmless.
 */
export async function seedAdminDemo(core: CoreClient): Promise<DemoAdmin[]> {
  const out: DemoAdmin[] = [];
  for (const account of demoAccounts) {
    try {
      await core.createAdmin({
        username: account.username,
        displayName: `演示${roleNames[account.role]}`,
        role: account.role,
        department: account.department,
        password: demoAdminPassword,
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ALREADY_EXISTS') throw error;
    }
    out.push({ ...account, password: demoAdminPassword, roleName: roleNames[account.role] });
  }
  return out;
}
