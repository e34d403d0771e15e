/**
 * What an error message may repeat of a value someone sent. Echoed values end up in jsonb (delivery
 * records, idempotent answers, upload previews), in JSON answers and on pages: PostgreSQL refuses
 * U+0000 and lone surrogates in jsonb and text, a value of megabytes would be repeated in every
 * message that names it, and control characters make a page or a log line unreadable.
 */

/** Characters of a value repeated in a message; longer values end in „…“. */
export const MAX_SHOWN = 100;

// C0 and C1 controls, DEL, and surrogate halves without their partner: matching them is the point.
const UNSHOWABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  // C0 controls and DEL have Control Pictures (U+2400 ff.): a NUL stays recognisable as ␀.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return '\ufffd';
}

/** Replaces what jsonb or a page cannot hold with visible stand-ins (␀, ␊, �). */
export function sanitizeText(text: string): string {
  return text.replace(UNSHOWABLE, visible);
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value) ?? Object.prototype.toString.call(value);
    } catch {
      // Cycles and bigints cannot be serialised; an error report must not fail on them.
      return Object.prototype.toString.call(value);
    }
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'symbol') return value.toString();
  return Object.prototype.toString.call(value);
}

/**
 * A value as an error message repeats it: at most `max` characters (then „…“), cut between and not
 * inside a surrogate pair, with control characters and lone surrogates made visible.
 */
export function shown(value: unknown, max = MAX_SHOWN): string {
  let text = asText(value);
  if (text.length > max) {
    const high = text.charCodeAt(max - 1);
    const cut = high >= 0xd800 && high <= 0xdbff ? max - 1 : max;
    text = `${text.slice(0, cut)}…`;
  }
  return sanitizeText(text);
}
