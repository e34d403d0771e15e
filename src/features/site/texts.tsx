import { readFileSync } from 'node:fs';
import type { ComponentChildren, VNode } from 'preact';

/**
 * The operator's own texts (Impressum, Datenschutz, accessibility statement) come from files named in
 * the environment: plain text, or simple HTML for those who have it from their web team. Either is
 * turned into elements here, never inserted as raw HTML: only a few structural tags and links survive,
 * so a pasted script, style or event handler cannot reach the page (and the CSP stays strict).
 */

/** Reads an operator text at start-up: a wrong path fails the start, not the first visitor. */
export function readOperatorText(variable: string, file: string | null): string | null {
  if (!file) return null;
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new Error(`${variable}: Datei ${file} kann nicht gelesen werden (${(err as Error).message})`);
  }
}

export function OperatorText({ text }: { text: string }) {
  return <>{/^\s*</.test(text) ? fromHtml(text) : fromPlainText(text)}</>;
}

const LINKABLE = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/;

/** Web addresses and e-mail addresses in a line of text become links. */
function linked(line: string): ComponentChildren {
  return line.split(new RegExp(LINKABLE.source, 'g')).map((part, i) => {
    if (i % 2 === 0) return part;
    const href = part.includes('@') && !part.startsWith('http') ? `mailto:${part}` : part;
    return (
      <a class="kern-link" href={href}>
        {part}
      </a>
    );
  });
}

/**
 * Plain text: paragraphs separated by blank lines; a paragraph starting with "# " is a heading, "## "
 * a subheading; a paragraph whose lines all start with "- " a list. Line breaks within a paragraph are
 * kept (addresses).
 */
export function fromPlainText(text: string): VNode[] {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean);
  return blocks.map((block) => {
    if (block.startsWith('## ')) return <h3 class="kern-heading-small">{block.slice(3).trim()}</h3>;
    if (block.startsWith('# ')) return <h2 class="kern-heading-medium">{block.slice(2).trim()}</h2>;
    const lines = block.split('\n').map((l) => l.trim());
    if (lines.every((l) => l.startsWith('- '))) {
      return (
        <ul class="kern-list">
          {lines.map((l) => (
            <li>{linked(l.slice(2))}</li>
          ))}
        </ul>
      );
    }
    return (
      <p class="kern-body">
        {lines.map((l, i) => (
          <>
            {i > 0 ? <br /> : null}
            {linked(l)}
          </>
        ))}
      </p>
    );
  });
}

const CLASSES: Record<string, string | undefined> = {
  p: 'kern-body',
  h2: 'kern-heading-medium',
  h3: 'kern-heading-small',
  h4: 'kern-heading-small',
  ul: 'kern-list',
  ol: 'kern-list',
  a: 'kern-link',
};
const ALLOWED = new Set([
  'p',
  'h2',
  'h3',
  'h4',
  'ul',
  'ol',
  'li',
  'a',
  'strong',
  'em',
  'b',
  'i',
  'br',
  'address',
  'dl',
  'dt',
  'dd',
]);
/** Whose text is dropped with them: their content is code or styling, not words for the reader. */
const DROPPED_WITH_CONTENT = new Set([
  'script',
  'style',
  'template',
  'iframe',
  'object',
  'noscript',
  'svg',
  'math',
]);
const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'wbr', 'source']);
const SAFE_HREF = /^(https?:|mailto:|tel:|\/(?!\/)|#)/i;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16) || 0xfffd);
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)) || 0xfffd);
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

interface Node {
  tag: string;
  href?: string;
  children: Array<Node | string>;
}

/** Simple HTML to elements: the allowed tags with their text, links with a safe href only. */
export function fromHtml(html: string): ComponentChildren {
  const root: Node = { tag: '#root', children: [] };
  const stack: Node[] = [root];
  let skipping: string | null = null;
  const tokens = html.replace(/<!--[\s\S]*?-->/g, '').split(/(<\/?[A-Za-z][^>]*>)/);
  for (const token of tokens) {
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9]*)([^>]*)>$/.exec(token);
    if (!tag) {
      if (!skipping && token) stack[stack.length - 1]!.children.push(decode(token));
      continue;
    }
    const [, closing, rawName = '', attributes = ''] = tag;
    const name = rawName.toLowerCase();
    if (skipping) {
      if (closing && name === skipping) skipping = null;
      continue;
    }
    if (DROPPED_WITH_CONTENT.has(name)) {
      if (!closing && !attributes.trim().endsWith('/')) skipping = name;
      continue;
    }
    if (!ALLOWED.has(name)) continue;
    if (closing) {
      const at = stack.map((n) => n.tag).lastIndexOf(name);
      if (at > 0) stack.length = at;
      continue;
    }
    const node: Node = { tag: name, children: [] };
    if (name === 'a') {
      const href = /\bhref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attributes);
      const value = decode(href?.[2] ?? href?.[3] ?? href?.[4] ?? '').trim();
      if (SAFE_HREF.test(value)) node.href = value;
    }
    stack[stack.length - 1]!.children.push(node);
    if (!VOID.has(name)) stack.push(node);
  }
  return toElements(root.children);
}

function toElements(children: Array<Node | string>): ComponentChildren {
  return children.map((child) => {
    if (typeof child === 'string') return child;
    const Tag = child.tag as 'p';
    if (child.tag === 'br') return <br />;
    const props = { class: CLASSES[child.tag], ...(child.href ? { href: child.href } : {}) };
    return <Tag {...props}>{toElements(child.children)}</Tag>;
  });
}
