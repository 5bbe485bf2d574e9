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
  // Campuses (docs/campuses.md): making one and linking it to its place tree.
  'campus.manage',
  // Visitors (docs/visitors-meetings-bus.md): on campus now; approving a department's visits; the campus policy.
  'visitor.read',
  'visitor.approve',
  'visitor.policy',
  // Meetings and exams: the live board and its export; making one (a department admin for their department).
  'meeting.read',
  'meeting.manage',
  // Insight (docs/analytics.md): hidden-need candidates are the student-aid office's alone; attendance and
  // absence warnings are a counsellor's, for their own department's students.
  'insight.aid',
  'insight.warnings',
  // Campus passage (docs/passage.md): places, rules and who/where views; making and deleting rules; remote
  // door commands (open, hold open …, with a reason).
  'passage.read',
  'passage.manage',
  'passage.command',
  // The access log (every pass and refusal at doors and gates) with filters and export.
  'passage.log',
  // School buses: routes, stops, runs and rides; making and changing them.
  'bus.read',
  'bus.manage',
  // Messages outside the app (docs/messages.md): delivery counts per channel, kind and status, and failures.
  'messages.read',
  // Federation between card centres (docs/federation.md): the trust list and the inter-centre settlement
  // to read; keeping the trust list (centres, keys, suspension); reconciling a day and recording its net.
  'federation.read',
  'federation.manage',
  'federation.settle',
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
    'federation.read',
    'federation.settle',
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
  content_editor: ['content.manage', 'messages.read'],
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
  // 保卫处: the doors and gates of the whole campus, remote commands and emergency open, the access log, visitors.
  security_office: [
    'passage.read',
    'passage.command',
    'passage.log',
    'visitor.read',
    'visitor.policy',
    'device.read',
    'monitor.read',
  ],
  // 宿管: dorm doors, curfews and late returns (the passage rules and log), visitors to the dorms.
  dorm_office: ['card.read', 'passage.read', 'passage.log', 'visitor.read'],
  // 校车: routes, runs, bookings and rides, and the bus readers.
  transport_office: ['bus.read', 'bus.manage', 'device.read'],
  // 资助中心: the hidden-need candidates (nobody else sees them; an approved list becomes a subsidy batch
  // under insight.aid, which finance approves as any other).
  aid_office: ['insight.aid', 'funds.read'],
  // 辅导员: warnings about their own department's students (scoped like a department admin).
  counsellor: ['card.read', 'attendance.read', 'insight.warnings'],
  // Read-only: sees everything there is to read, changes nothing.
  auditor: [
    'card.read',
    'visitor.read',
    'meeting.read',
    'passage.read',
    'passage.log',
    'bus.read',
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
    'messages.read',
    'federation.read',
  ],
};

export function can(role: AdminRole, right: Right): boolean {
  return roleRights[role].includes(right);
}
