import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody } from '../http/middleware.ts';
import type { BindingService } from '../services/bindings.ts';
import type { CredentialIssuer } from '../services/credentials.ts';

const issueBody = z.strictObject({
  publicKey: z.string().regex(/^[0-9a-fA-F]{64}$/, 'the phone public key is 32 bytes of hex'),
});

/** Certificate issuance and renewal for the phone's own key. */
export function credentialRoutes(bindings: BindingService, issuer: CredentialIssuer): Router {
  const router = new Router();
  router.post('/credential', async (ctx) => {
    const { publicKey } = parseBody(ctx, issueBody);
    ctx.body = await issuer.issue(
      await bindings.require((ctx.state.user as UserState).openid),
      publicKey.toLowerCase(),
    );
  });
  return router;
}
