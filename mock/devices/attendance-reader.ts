// A classroom, meeting-room or exam-hall reader serving one attendance session at a time: a scanned code in,
// recorded / already recorded / not on the roster / outside the window out. Offline it stores the sign-in.

import type { AttendanceResult } from '@campus-card/device-gateway/protocol';
import { type OfflineDecision, scannedCode, Terminal, type TerminalOptions } from './terminal.ts';

export class AttendanceReader extends Terminal {
  /** The session the reader serves now (set by the administrator for the room's timetable). */
  sessionId = '';

  constructor(options: TerminalOptions) {
    super('attendance', options);
  }

  static async connect(options: TerminalOptions, sessionId: string): Promise<AttendanceReader> {
    const reader = new AttendanceReader(options);
    reader.sessionId = sessionId;
    await reader.connect();
    return reader;
  }

  async signIn(
    scanned: string,
  ): Promise<AttendanceResult | ({ readonly kind: 'offline' } & OfflineDecision)> {
    const code = scannedCode(scanned);
    if (!this.online) {
      const decision = await this.decideOffline({
        recordKind: 'attendance',
        amountFen: 0,
        orderNo: 0,
        sessionId: this.sessionId,
        code,
      });
      return { kind: 'offline', ...decision };
    }
    const reply = await this.request({ kind: 'attendance', sessionId: this.sessionId, code });
    if (reply.kind !== 'attendance_result') throw new Error(`ATTENDANCE answered ${reply.kind}`);
    return reply;
  }
}
