// The pages configuration (definitions/pages.json): the look (logo, colours) and words of the pages the API serves
// to advocates and their friends (api/pages/). Loaded and checked once when the API starts; a bad file is refused
// with every problem as data (file, line, column, pointer, message), never half-applied. Beyond the schema it checks
// what the schema cannot: colour pairs reach WCAG AA contrast, the locale and time zone are known to Intl.
import { fileURLToPath } from 'node:url';
import schema from './schema/pages.schema.json' with { type: 'json' };
import type { Diagnostic } from './diagnostics.ts';
import { checkConfigDocument, ConfigFileError, configFileLoaders, lazyValidator } from './config-file.ts';
import type { ConfigCheck, PlaceProblem } from './config-file.ts';
import type { PagesConfig } from './generated/pages.ts';

export type { PagesConfig, BrandColors, RateLimit } from './generated/pages.ts';

export const PAGES_FILE = fileURLToPath(new URL('./pages.json', import.meta.url));
/** Files the API serves at /pages/assets/<name> (the shipped logo). */
export const PAGE_ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

export class PagesConfigError extends ConfigFileError {
  static override readonly what = 'pages config';
}

const validator = lazyValidator(schema);

/** WCAG 2.x relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** WCAG AA for normal-size text. */
const AA = 4.5;

function pagesProblems(config: PagesConfig, at: PlaceProblem): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const c = config.brand.colors;
  const pairs: Array<[string, string, string, string]> = [
    ['/brand/colors/text', c.text, c.background, 'text on background'],
    ['/brand/colors/primaryText', c.primaryText, c.primary, 'button text on primary'],
    ['/brand/colors/primary', c.primary, c.background, 'links (primary) on background'],
    ...(c.muted ? [['/brand/colors/muted', c.muted, c.background, 'muted text on background'] as [string, string, string, string]] : []),
  ];
  for (const [pointer, fg, bg, what] of pairs) {
    const ratio = contrastRatio(fg, bg);
    if (ratio < AA)
      problems.push(
        at(
          pointer,
          `${what}: contrast ${ratio.toFixed(2)}:1 is below WCAG AA (4.5:1)`,
          'pages.contrast',
          'pick a darker or lighter colour',
        ),
      );
  }
  try {
    if (Intl.DateTimeFormat.supportedLocalesOf([config.locale]).length === 0)
      problems.push(at('/locale', `locale \`${config.locale}\` is not one this Node.js can format`, 'pages.locale', 'e.g. en-US, de-DE'));
  } catch {
    problems.push(at('/locale', `\`${config.locale}\` is not a BCP 47 language tag`, 'pages.locale', 'e.g. en-US, de-DE'));
  }
  if (config.timeZone) {
    try {
      Intl.DateTimeFormat('en', { timeZone: config.timeZone });
    } catch {
      problems.push(at('/timeZone', `unknown IANA time zone \`${config.timeZone}\``, 'pages.timezone', 'e.g. Europe/Berlin'));
    }
  }
  return problems;
}

/** Every problem in one pages document, [] when it is valid. `file` names it in the diagnostics. */
export function checkPagesConfig(source: string, file: string): ConfigCheck<PagesConfig> {
  return checkConfigDocument<PagesConfig>(source, file, { validate: validator(), semantic: pagesProblems });
}

/**
 * loadPagesConfig(path?): loads and checks the file (default: the shipped definitions/pages.json).
 * loadPagesConfigFromEnv(env?): the file named by JOURNEY_PAGES, else the shipped one. Both throw PagesConfigError.
 */
export const { load: loadPagesConfig, loadFromEnv: loadPagesConfigFromEnv } = configFileLoaders<PagesConfig>({
  shippedFile: PAGES_FILE,
  envVar: 'JOURNEY_PAGES',
  check: checkPagesConfig,
  error: PagesConfigError,
});
