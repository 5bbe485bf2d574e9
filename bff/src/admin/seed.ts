import { type AdminRole, type CoreClient, totpRequiredRoles } from '@campus-card/core/client';
import { adminRoleWords } from '@campus-card/core/contract/words';

export interface DemoAdmin {
  username: string;
  password: string;
  role: AdminRole;
  roleName: string;
  department: string | null;
  /** The second factor's secret (base32) of a role that must have one: demoTotpSecret. */
  totpSecret: string | null;
}

/** The demo's password for every demo account; never for a real deployment. */
export const demoAdminPassword = 'demo-admin-2026';

/**
 * The demo's second-factor secret (base32) for the roles that must have one (super admin, finance,
 * the counter): the launcher prints it to add to an authenticator app; tests compute codes from it.
 * Public, like the password: never for a real deployment.
 */
export const demoTotpSecret = 'MNQW24DVOMWWGYLSMQWWIZLNN4YDEMBS';

const demoAccounts: readonly Omit<DemoAdmin, 'password' | 'roleName' | 'totpSecret'>[] = [
  { username: 'super', role: 'super_admin', department: null },
  { username: 'counter', role: 'card_operator', department: null },
  { username: 'finance', role: 'finance', department: null },
  { username: 'devices', role: 'device_admin', department: null },
  { username: 'editor', role: 'content_editor', department: null },
  { username: 'dept', role: 'department_admin', department: '计算机学院' },
  { username: 'auditor', role: 'auditor', department: null },
  { username: 'security', role: 'security_office', department: null },
  { username: 'dorm', role: 'dorm_office', department: null },
  { username: 'transport', role: 'transport_office', department: null },
  { username: 'aid', role: 'aid_office', department: null },
  { username: 'counsellor', role: 'counsellor', department: '计算机学院' },
];

/**
 * One demo admin per role (password demoAdminPassword, and demoTotpSecret for the roles that must
 * have a second factor), made through the core so the launcher can print them; an account that
 * already exists is left as it is, so a restart is harmless.
 */
export async function seedAdminDemo(core: CoreClient): Promise<DemoAdmin[]> {
  const out: DemoAdmin[] = [];
  for (const account of demoAccounts) {
    const totpSecret = totpRequiredRoles.includes(account.role) ? demoTotpSecret : null;
    try {
      await core.createAdmin({
        username: account.username,
        displayName: `演示${adminRoleWords[account.role]}`,
        role: account.role,
        department: account.department,
        password: demoAdminPassword,
        ...(totpSecret ? { totpSecret } : {}),
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ALREADY_EXISTS') throw error;
    }
    out.push({ ...account, password: demoAdminPassword, roleName: adminRoleWords[account.role], totpSecret });
  }
  return out;
}
