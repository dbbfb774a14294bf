// Rendering a template the way the email activity does (activities/email/message.ts), while noting every {{…}}
// that came out blank: a missing value, an empty string, or an object that would print as [object Object].
// `journey preview` shows these, and the shipped-templates test fails on any.
import Mustache from 'mustache';

export interface Blank {
  /** The variable as written, e.g. traits.company. */
  name: string;
  /** Offset of its {{ in the template text. */
  offset: number;
  why: 'missing' | 'empty' | 'object';
}

export interface RenderOptions {
  /** HTML bodies escape what HTML needs; subjects and text bodies are not escaped (as the email activity does). */
  html: boolean;
  /** What to put where a blank would be (default: nothing, as in the real email). */
  mark?: (blank: Blank) => string;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch]);

class BlankNotingWriter extends Mustache.Writer {
  readonly blanks: Blank[] = [];
  constructor(private readonly options: RenderOptions) {
    super();
  }
  override escapedValue(token: string[], context: Mustache.Context): string {
    return this.value(token, context, this.options.html ? escapeHtml : String);
  }
  override unescapedValue(token: string[], context: Mustache.Context): string {
    return this.value(token, context, String);
  }
  private value(token: string[], context: Mustache.Context, escape: (v: unknown) => string): string {
    const value: unknown = context.lookup(token[1]);
    const why =
      value === undefined || value === null
        ? 'missing'
        : String(value).trim() === ''
          ? 'empty'
          : typeof value === 'object'
            ? 'object'
            : undefined;
    if (!why) return escape(value);
    const blank: Blank = { name: token[1], offset: Number(token[2]), why };
    this.blanks.push(blank);
    return this.options.mark ? this.options.mark(blank) : why === 'object' ? escape(value) : '';
  }
}

export function renderWithBlanks(
  template: string,
  view: Record<string, unknown>,
  options: RenderOptions,
): { text: string; blanks: Blank[] } {
  const writer = new BlankNotingWriter(options);
  const text = (writer.render as (t: string, v: unknown) => string)(template, view);
  return { text, blanks: writer.blanks };
}

/** HTML bodies are the `.html.mustache` files and those that start with a tag (the email activity's rule). */
export function looksLikeHtml(file: string, body: string): boolean {
  return /\.html?\.mustache$/i.test(file) || body.trimStart().startsWith('<');
}
