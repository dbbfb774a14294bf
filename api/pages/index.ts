// The pages the API serves to people outside the company, without an API key: the hosted referral page (/r/<code>),
// the advocate status page (/a/<token>), the account owner's task page (/o/<token>) and their assets (/pages/assets/<file>). The unsubscribe page (/u/<token>,
// api/routes/unsubscribe.ts) shares their layout. Their look and words: definitions/pages.json (docs/advocates.md).
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PAGE_ASSETS_DIR, type PagesConfig } from '../../definitions/pages.ts';
import { unsubscribeSecretFromEnv } from '../../activities/email/unsubscribe-link.ts';
import type { ApiContext } from '../context.ts';
import { DEFAULT_PAGES } from './layout.ts';
import { registerReferralPageRoutes } from './referral-routes.ts';
import { registerStatusPageRoutes } from './status-routes.ts';
import { registerOwnerTaskRoutes } from './owner-task-routes.ts';

const ASSET_TYPES: Record<string, string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  ico: 'image/x-icon',
};

/** The shipped assets, read once (a handful of small files). */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(PAGE_ASSETS_DIR)) {
    const type = ASSET_TYPES[name.split('.').pop() ?? ''];
    if (type) assets.set(name, { type, body: readFileSync(join(PAGE_ASSETS_DIR, name)) });
  }
  return assets;
}

/** The secret the status tokens are signed with (the worker mints them with the same one) and the CSRF key. */
export function pageSecrets(ctx: ApiContext) {
  const status = ctx.opts.unsubscribeSecret ?? unsubscribeSecretFromEnv({ JOURNEY_REFERRAL_CODE_SECRET: ctx.opts.referralCodeSecret });
  return { status, csrf: createHmac('sha256', status).update('page-csrf').digest('hex') };
}

export async function registerPageRoutes(app: FastifyInstance, ctx: ApiContext) {
  const config: PagesConfig = ctx.opts.pages ?? DEFAULT_PAGES;
  const secrets = pageSecrets(ctx);
  const assets = loadAssets();
  app.get('/pages/assets/:file', { schema: { hide: true } }, async (req, reply) => {
    const asset = assets.get((req.params as { file: string }).file);
    if (!asset)
      return reply
        .code(404)
        .send({ error: 'not_found', message: 'no such asset', errors: [{ pointer: '/file', message: 'unknown asset' }] });
    return reply.type(asset.type).header('cache-control', 'public, max-age=86400').send(asset.body);
  });
  await registerReferralPageRoutes(app, ctx, config, secrets);
  await registerStatusPageRoutes(app, ctx, config, secrets);
  await registerOwnerTaskRoutes(app, ctx, config, secrets);
}
