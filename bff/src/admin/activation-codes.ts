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
      const issued = await s.cards.issueActivationCode(admin, parseValue(ctx.params, cardPath).cardNo);
      ctx.status = 201;
      return issued;
    },
  },
];
