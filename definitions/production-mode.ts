// Production mode: the engine sends real email (POSTMARK_SERVER_TOKEN set) and JOURNEY_DEV_MODE is not 1. In it, the
// worker and the API refuse to start without the settings a real deployment must not run without, naming each:
// JOURNEY_PUBLIC_URL and the unsubscribe secret (activities/email/unsubscribe-link.ts), JOURNEY_CODEC_KEYS
// (worker/data-converter.ts). `npm start` and `npm run start:cluster` generate what they need; JOURNEY_DEV_MODE=1 is
// for local trials that send through a real Postmark token anyway.
export function isProductionMode(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.POSTMARK_SERVER_TOKEN?.trim()) && env.JOURNEY_DEV_MODE !== '1';
}
