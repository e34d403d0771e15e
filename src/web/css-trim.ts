/**
 * Keeps of a stylesheet only the rules that can match the pages: a rule whose selector names a
 * class the sources never write cannot match any element, so it is dropped. Build-free on purpose
 * (no bundler, no CSS dependency at run time): KERN's stylesheet is Sass output, plain rules,
 * @media blocks and one @keyframes, which a small brace-matching reader takes apart reliably.
 */

/** Class names (of one family, e.g. `kern-`) written anywhere in the given texts. */
export function usedClassNames(texts: Iterable<string>, prefix: string): Set<string> {
  const pattern = new RegExp(`${escapeRegExp(prefix)}[A-Za-z0-9_-]*`, 'g');
  const used = new Set<string>();
  for (const text of texts) for (const match of text.match(pattern) ?? []) used.add(match);
  return used;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Block {
  /** Selector or at-rule prelude, trimmed; '' for text outside any block (e.g. @charset). */
  prelude: string;
  /** Text between the braces. */
  body: string;
}

/** Splits CSS text into top-level blocks; comments are dropped, strings kept intact. */
function blocks(css: string): { blocks: Block[]; statements: string[] } {
  const result: Block[] = [];
  const statements: string[] = [];
  let i = 0;
  let start = 0;
  let depth = 0;
  let prelude = '';
  let bodyStart = 0;
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (c === '{') {
      if (depth === 0) {
        prelude = text.slice(start, i).trim();
        bodyStart = i + 1;
      }
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        result.push({ prelude, body: text.slice(bodyStart, i) });
        start = i + 1;
      }
    } else if (c === ';' && depth === 0) {
      const statement = text.slice(start, i + 1).trim();
      if (statement) statements.push(statement);
      start = i + 1;
    }
    i++;
  }
  return { blocks: result, statements };
}

/** Splits a selector list at its top-level commas (not those inside :is(), :not(), attribute values). */
function selectorList(prelude: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < prelude.length; i++) {
    const c = prelude[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(prelude.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(prelude.slice(start).trim());
  return parts.filter(Boolean);
}

/**
 * Whether one selector can match. Classes inside :not(), :is() and :where() are not required (a
 * `:not(.kern-x)` matches precisely when .kern-x is absent), so those arguments are left out.
 */
function canMatch(selector: string, used: Set<string>, prefix: string): boolean {
  let required = selector;
  while (/:(not|is|where)\([^()]*\)/.test(required))
    required = required.replace(/:(not|is|where)\([^()]*\)/g, '');
  const classes = required.match(/\.[A-Za-z0-9_-]+/g) ?? [];
  return classes.every((dotted) => {
    const name = dotted.slice(1);
    return !name.startsWith(prefix) || used.has(name) || isPrefixOfUsedTemplate(name, used);
  });
}

/** `kern-alert--${kind}` in a source shows up as `kern-alert--`: every modifier of it may be used. */
function isPrefixOfUsedTemplate(name: string, used: Set<string>): boolean {
  for (const u of used) if (/(--|__)$/.test(u) && name.startsWith(u)) return true;
  return false;
}

/** The rules of `css` that can match elements carrying only the classes in `used`. */
export function trimCss(css: string, used: Set<string>, prefix: string): string {
  const { blocks: all, statements } = blocks(css);
  const out: string[] = statements.filter((s) => !s.startsWith('@charset'));
  for (const { prelude, body } of all) {
    if (prelude.startsWith('@media') || prelude.startsWith('@supports') || prelude.startsWith('@layer')) {
      const inner = trimCss(body, used, prefix).trim();
      if (inner) out.push(`${prelude}{${inner}}`);
    } else if (prelude.startsWith('@')) {
      out.push(`${prelude}{${minify(body)}}`);
    } else {
      const kept = selectorList(prelude).filter((s) => canMatch(s, used, prefix));
      if (kept.length > 0) out.push(`${kept.join(',')}{${minify(body)}}`);
    }
  }
  return out.join('\n');
}

/** Whitespace only: the declarations themselves stay exactly as KERN wrote them. */
const minify = (body: string) =>
  body
    .replace(/\s*\n\s*/g, ' ')
    .replace(/;\s+/g, ';')
    .trim();
