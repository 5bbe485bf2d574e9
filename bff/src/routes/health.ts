import Router from 'koa-router';

/** Liveness for load balancers and the demo launcher; says nothing about the caller. */
export function healthRoutes(): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  return router;
}
