import { cardNo } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

const cardPath = z.object({ cardNo });

/**
 * The card centre issues a card's one-time activation code (printed at enrolment or sent by the
 * school's SMS), which binds the student's WeChat account without the last characters of an ID
 * number. A new code replaces any earlier one. The answer shows the code this once; the audit row
 * says who issued one for which card, never the code.
 */
export const activationCodeRoutes: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/cards/:cardNo/activation-code',
    right: 'card.manage',
    handle: async (ctx, admin, s) => {
      const { cardNo } = parseValue(ctx.params, cardPath);
      // The department scope: a card outside it answers as if it did not exist.
      await s.cards.card(admin, cardNo);
      const issued = await s.core.issueActivationCode(cardNo, admin.adminId);
      await s.audit.record(admin, 'card.activation_code', 'card', cardNo, {
        expiresAtMs: issued.expiresAtMs,
      });
      ctx.status = 201;
      return { cardNo, activationCode: issued.code, expiresAtMs: issued.expiresAtMs };
    },
  },
];
