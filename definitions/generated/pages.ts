// Generated from definitions/schema/pages.schema.json by scripts/generate-types.ts. Do not edit.

/**
 * The look and words of the pages the API serves to people outside the company: the hosted referral page (/r/<code>), the advocate status page (/a/<token>), the account owner's task page (/o/<token>) and the unsubscribe page (/u/<token>). Loaded once when the API starts (JOURNEY_PAGES names another file); a bad file stops the start with every problem listed.
 */
export interface PagesConfig {
  /**
   * Where an editor finds this schema.
   */
  $schema?: string;
  /**
   * Free text for the people who keep this file; ignored by the engine.
   */
  $comment?: string;
  brand: Brand;
  /**
   * BCP 47 language tag of the pages (html lang, dates and money formatted with Intl in it), e.g. en-US, de-DE.
   */
  locale: string;
  /**
   * IANA zone dates are shown in (default UTC).
   */
  timeZone?: string;
  referralPage: ReferralPageConfig;
  ownerTaskPage?: OwnerTaskPageConfig;
  statusPage: StatusPageConfig;
}
/**
 * What every page looks like.
 */
export interface Brand {
  /**
   * The company or product name, shown in the header and page titles.
   */
  name: string;
  /**
   * An https (or root-relative) URL of the logo image, shown in the header. Without it the name is shown as text.
   */
  logoUrl?: string;
  /**
   * The logo's text alternative (default: the brand name).
   */
  logoAlt?: string;
  colors: BrandColors;
  /**
   * Where people write with questions; shown at the foot of every page.
   */
  supportEmail?: string;
}
/**
 * Colours as #rrggbb. The API refuses a pair whose contrast is below WCAG AA (4.5:1): text on background, button text on primary, link (primary) on background.
 */
export interface BrandColors {
  /**
   * Buttons, links and the focus ring.
   */
  primary: string;
  /**
   * Text on a button.
   */
  primaryText: string;
  /**
   * The page background.
   */
  background: string;
  /**
   * Body text.
   */
  text: string;
  /**
   * Secondary text (default: text). Must also reach 4.5:1 on the background.
   */
  muted?: string;
}
/**
 * The hosted referral page /r/<code>.
 */
export interface ReferralPageConfig {
  /**
   * The page's heading. {{advocate}} is the inviter's first name (or 'A customer').
   */
  headline: string;
  /**
   * The paragraph under it. {{advocate}}, {{offer}} (the friend's reward from the journey's plan), {{brand}}.
   */
  intro: string;
  /**
   * The label of the free-text field for sales (default: 'What should our team know?').
   */
  contextLabel?: string;
  /**
   * The consent checkbox's words (required to submit).
   */
  consentText: string;
  /**
   * Linked beside the consent.
   */
  privacyUrl?: string;
  /**
   * Shown after a submission. {{advocate}}, {{brand}}.
   */
  thankYou: string;
  /**
   * Shown for a code that is not valid or no longer active.
   */
  invalidCode: string;
  rateLimits?: ReferralRateLimits;
}
/**
 * Submissions allowed per window; beyond them the answer is 429 naming the limit.
 */
export interface ReferralRateLimits {
  perIp?: RateLimit;
  perCode?: RateLimit;
}
export interface RateLimit {
  max: number;
  /**
   * ISO 8601 duration, e.g. PT1M, PT1H.
   */
  window: string;
}
/**
 * The account owner's task page /o/<token> (the Done / Decline links of an owner task).
 */
export interface OwnerTaskPageConfig {
  rateLimits?: OwnerTaskRateLimits;
}
/**
 * Requests (page views and answers) allowed per window; beyond them the answer is 429 naming the limit. Default: 60 an hour per IP address, 20 an hour per task link.
 */
export interface OwnerTaskRateLimits {
  perIp?: RateLimit;
  perToken?: RateLimit;
}
/**
 * The advocate status page /a/<token>.
 */
export interface StatusPageConfig {
  /**
   * The heading. {{advocate}} is the advocate's first name.
   */
  headline: string;
  /**
   * How long a status link in an email stays valid (ISO 8601 duration, default P90D). The next email carries a fresh one.
   */
  linkValidity?: string;
  leaderboard?: LeaderboardConfig;
}
/**
 * The opt-in leaderboard per journey: first name and last initial of advocates who chose to appear, ranked by referrals closed won, then submitted, in the current period.
 */
export interface LeaderboardConfig {
  enabled: boolean;
  /**
   * The period ranked (default quarter).
   */
  period?: "month" | "quarter" | "year";
  /**
   * How many advocates are shown (default 10).
   */
  size?: number;
}
