import type { AdminRole } from '@campus-card/core/client';

/**
 * Every right the admin API checks, and the one table of which role holds which. The API enforces
 * it on every route (routes.ts names one right per route); the backoffice only hides what this
 * table would refuse.
 */
export const rights = [
  'card.read',
  'card.manage',
  'card.close',
  'cash.top_up',
  'adjust.request',
  'adjust.approve',
  'topup.refund',
  'approval.read',
  'audit.read',
  'sync.read',
  'sync.run',
  'funds.read',
  'funds.manage',
  'funds.approve',
  'report.read',
  'attendance.read',
  'device.read',
  'device.manage',
  'offline.read',
  'monitor.read',
  'merchant.read',
  'merchant.manage',
  'settlement.read',
  'content.manage',
  'admin.manage',
  // Visitors (docs/visitors-meetings-bus.md): on campus now; approving a department's visits; the campus policy.
  'visitor.read',
  'visitor.approve',
  'visitor.policy',
  // Meetings and exams: the live board and its export; making one (a department admin for their department).
  'meeting.read',
  'meeting.manage',
  // Hidden-need candidates (docs/analytics.md): the student-aid office's; no role but super holds it yet.
  'insight.aid',
  // Campus passage (docs/passage.md): places, rules and who/where views; making and deleting rules; remote
  // door commands (open, hold open …, with a reason).
  'passage.read',
  'passage.manage',
  'passage.command',
] as const;
export type Right = (typeof rights)[number];

export const roleRights: Readonly<Record<AdminRole, readonly Right[]>> = {
  super_admin: rights,
  // The card centre's counter: card affairs and the cash desk; proposes corrections, never decides them.
  card_operator: [
    'card.read',
    'card.manage',
    'card.close',
    'cash.top_up',
    'adjust.request',
    'approval.read',
    'sync.read',
    'sync.run',
    'attendance.read',
  ],
  // Money: corrections and their approval, and the audit trail behind them.
  // Subsidy batches are made and posted by finance; another finance (or super) admin approves.
  finance: [
    'card.read',
    'adjust.request',
    'adjust.approve',
    'topup.refund',
    'approval.read',
    'audit.read',
    'funds.read',
    'funds.manage',
    'funds.approve',
    'report.read',
    'offline.read',
    'monitor.read',
    'merchant.read',
    'merchant.manage',
    'settlement.read',
  ],
  // Registers, re-keys and disables devices, and watches the live dashboard.
  // Also runs the doors: passage places, rules and remote door commands.
  device_admin: [
    'device.read',
    'device.manage',
    'offline.read',
    'monitor.read',
    'passage.read',
    'passage.manage',
    'passage.command',
  ],
  // Publishes, schedules and withdraws news; creates courses and adds their lessons.
  content_editor: ['content.manage'],
  // Reads the people of their own department only (the scope is applied by the card-affairs service,
  // and for attendance by bff/src/admin/attendance.ts).
  department_admin: [
    'card.read',
    'attendance.read',
    'visitor.read',
    'visitor.approve',
    'meeting.read',
    'meeting.manage',
  ],
  // Read-only: sees everything there is to read, changes nothing.
  auditor: [
    'card.read',
    'visitor.read',
    'meeting.read',
    'passage.read',
    'approval.read',
    'audit.read',
    'sync.read',
    'funds.read',
    'report.read',
    'attendance.read',
    'device.read',
    'offline.read',
    'monitor.read',
    'merchant.read',
    'settlement.read',
  ],
};

export const roleNames: Readonly<Record<AdminRole, string>> = {
  super_admin: '超级管理员',
  card_operator: '卡务中心操作员',
  finance: '财务',
  device_admin: '设备管理员',
  content_editor: '内容编辑',
  department_admin: '院系管理员',
  auditor: '审计员',
};

export function can(role: AdminRole, right: Right): boolean {
  return roleRights[role].includes(right);
}
