// A gate or door reader (also library entrances and school-bus readers): a scanned code in, allow or deny
// with the person's name out; every check becomes an access event. Offline it decides on its own and
// stores the check, allowed or refused, for upload.

import type { AccessDirection, IdentityResult, VisitorResult } from '@campus-card/device-gateway/protocol';
import { type OfflineDecision, scannedCode, Terminal, type TerminalOptions } from './terminal.ts';

export class GateReader extends Terminal {
  constructor(options: TerminalOptions) {
    super('gate', options);
  }

  static async connect(options: TerminalOptions): Promise<GateReader> {
    const gate = new GateReader(options);
    await gate.connect();
    return gate;
  }

  async check(
    scanned: string,
    direction: AccessDirection = 'in',
  ): Promise<IdentityResult | ({ readonly kind: 'offline' } & OfflineDecision)> {
    const code = scannedCode(scanned);
    if (!this.online) {
      const decision = await this.decideOffline({
        recordKind: 'access',
        amountFen: 0,
        orderNo: 0,
        sessionId: '',
        code,
      });
      return { kind: 'offline', ...decision };
    }
    const reply = await this.request({ kind: 'identity_check', code, direction });
    if (reply.kind !== 'identity_result') throw new Error(`IDENTITY_CHECK answered ${reply.kind}`);
    return reply;
  }

  /** A visitor's pass (protocol § 7.23), with the ID-number tail the guard typed on entry ('' on exit). */
  async checkVisitor(pass: string, direction: AccessDirection, idTail: string): Promise<VisitorResult> {
    const reply = await this.request({ kind: 'visitor_check', code: scannedCode(pass), direction, idTail });
    if (reply.kind !== 'visitor_result') throw new Error(`VISITOR_CHECK answered ${reply.kind}`);
    return reply;
  }
}
