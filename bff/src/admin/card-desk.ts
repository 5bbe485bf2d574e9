import { cardLimitsBody, cardNo, idNumber, mobilePhone, personNo, pin } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

const cardPath = z.object({ cardNo });
const openBody = z
  .strictObject({
    personNo,
    name: z.string().trim().min(1).max(64),
    type: z.enum(['student', 'staff', 'visitor']),
    department: z.string().trim().min(1).max(64).nullable(),
    idNumber,
    phone: mobilePhone.optional(),
    /** A temporary or visitor card's end (UTC ms); a visitor card must have one. */
    expiresAtMs: z.number().int().positive().optional(),
  })
  .refine((b) => b.type !== 'visitor' || b.expiresAtMs !== undefined, {
    message: 'a visitor card needs an expiry',
    path: ['expiresAtMs'],
  });
const pinResetBody = z.strictObject({ idNumber, pin });

/**
 * The card centre's desk work beyond status changes (#19): opening one card by hand, resetting a
 * forgotten PIN against the holder's ID card, and a card's limits. Each needs card.manage and is
 * audited by CardAffairs.
 */
export const cardDeskRoutes: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/cards',
    right: 'card.manage',
    handle: async (ctx, admin, s) => {
      const card = await s.cards.openByHand(admin, parseBody(ctx, openBody));
      ctx.status = 201;
      return card;
    },
  },
  {
    method: 'POST',
    path: '/cards/:cardNo/pin-reset',
    right: 'card.manage',
    handle: (ctx, admin, s) => {
      const body = parseBody(ctx, pinResetBody);
      return s.cards.resetPinAtCounter(
        admin,
        parseValue(ctx.params, cardPath).cardNo,
        body.idNumber,
        body.pin,
      );
    },
  },
  {
    method: 'PUT',
    path: '/cards/:cardNo/limits',
    right: 'card.manage',
    handle: (ctx, admin, s) =>
      s.cards.setLimits(admin, parseValue(ctx.params, cardPath).cardNo, parseBody(ctx, cardLimitsBody)),
  },
];
