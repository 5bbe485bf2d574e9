import type { Binding, CoreClient } from '@campus-card/core/client';

export type RecordKind = 'access' | 'attendance';

/** One line of the records page: where the card was read, what was decided, when. */
export interface PresenceRecord {
  id: string;
  kind: RecordKind;
  place: string;
  /**
   * Codes, never prose: the app labels them in Chinese (miniprogram/src/labels.ts). access: allowed or
   * denied (the protocol's reason in `reason`); attendance: the session's kind (class, exam, meeting).
   */
  result: string;
  /** access only: in, out or none, and the protocol's reason for a deny. */
  direction?: string;
  reason?: string | null;
  deviceId: string;
  source: string;
  atMs: number;
}

/**
 * The holder's gate and door checks and attendance sign-ins, newest first. The core pages them by
 * time; the cursor is the time of the last item shown, so a page boundary inside one millisecond
 * may skip a twin, which a list of presence records can bear.
 */
export class Records {
  constructor(private readonly core: CoreClient) {}

  async list(
    binding: Binding,
    kind: RecordKind,
    page: { limit: number; beforeAtMs?: number },
  ): Promise<{ items: PresenceRecord[]; next?: string }> {
    const items = kind === 'access' ? await this.access(binding, page) : await this.attendance(binding, page);
    const last = items.at(-1);
    return { items, ...(items.length === page.limit && last ? { next: String(last.atMs) } : {}) };
  }

  private async access(binding: Binding, page: { limit: number; beforeAtMs?: number }) {
    const { items } = await this.core.accessEvents(binding.cardNo, page);
    return items.map(
      (e): PresenceRecord => ({
        id: e.id,
        kind: 'access',
        // Devices have no name or place in the core yet: the app names the check by its direction.
        place: '门禁',
        result: e.decision === 'allow' ? 'allowed' : 'denied',
        direction: e.direction,
        reason: e.reason,
        deviceId: e.deviceId,
        source: e.source,
        atMs: e.occurredAtMs,
      }),
    );
  }

  private async attendance(binding: Binding, page: { limit: number; beforeAtMs?: number }) {
    const { items } = await this.core.attendance(binding.cardNo, page);
    return items.map(
      (r): PresenceRecord => ({
        id: r.sessionId,
        kind: 'attendance',
        place: r.title,
        result: r.kind,
        deviceId: r.deviceId,
        source: r.source,
        atMs: r.recordedAtMs,
      }),
    );
  }
}
