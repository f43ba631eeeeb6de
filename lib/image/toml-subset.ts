// The part of TOML that registries.conf(5) files use: comments, `[table]`, `[[array.of.tables]]`,
// and `key = value` with strings, booleans, integers and (possibly multi-line) arrays of those.
// Anything else is a clear error with a line number rather than a silent misreading.
import { RootlessError } from '../errors.js';

export type TomlValue = string | boolean | number | TomlValue[] | TomlTable | TomlTable[];
export interface TomlTable {
  [key: string]: TomlValue;
}

class Cursor {
  index = 0;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  get line(): number {
    return this.text.slice(0, this.index).split('\n').length;
  }

  fail(what: string): never {
    throw new RootlessError(`cannot read ${this.file}: line ${this.line}: ${what}`, {
      remedy: 'Fix the file; it uses the TOML format of containers-registries.conf(5)',
    });
  }

  /** Skips spaces and tabs, and with `newlines` also newlines and comments. */
  skip(newlines: boolean): void {
    const pattern = newlines ? /^(?:[ \t\r\n]|#[^\n]*)+/ : /^[ \t]+/;
    const match = this.text.slice(this.index).match(pattern);
    if (match) this.index += match[0].length;
  }

  peek(): string {
    return this.text[this.index] ?? '';
  }

  take(pattern: RegExp): string | undefined {
    const match = this.text.slice(this.index).match(pattern);
    if (!match) return undefined;
    this.index += match[0].length;
    return match[0];
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected "${char}"`);
    this.index++;
  }

  endOfLine(): void {
    this.skip(false);
    if (!this.take(/^(?:#[^\n]*)?(?:\r?\n|$)/)) this.fail('unexpected text after the value');
  }
}

const BARE_KEY = /^[A-Za-z0-9_-]+/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

function parseKey(cursor: Cursor): string[] {
  const parts: string[] = [];
  for (;;) {
    cursor.skip(false);
    const quote = cursor.peek();
    const part = quote === '"' || quote === "'" ? parseString(cursor) : cursor.take(BARE_KEY);
    if (part === undefined) cursor.fail('expected a key');
    parts.push(part);
    cursor.skip(false);
    if (cursor.peek() !== '.') return parts;
    cursor.index++;
  }
}

function parseString(cursor: Cursor): string {
  const quote = cursor.peek();
  cursor.index++;
  let out = '';
  for (;;) {
    const char = cursor.peek();
    if (char === '' || char === '\n') cursor.fail('unterminated string');
    cursor.index++;
    if (char === quote) return out;
    if (char !== '\\' || quote === "'") {
      out += char;
      continue;
    }
    const escape = cursor.peek();
    cursor.index++;
    if (escape in ESCAPES) out += ESCAPES[escape];
    else if (escape === 'u' || escape === 'U') {
      const hex = cursor.take(escape === 'u' ? /^[0-9a-fA-F]{4}/ : /^[0-9a-fA-F]{8}/);
      if (!hex) cursor.fail('bad unicode escape');
      out += String.fromCodePoint(parseInt(hex, 16));
    } else cursor.fail(`unknown escape "\\${escape}"`);
  }
}

function parseValue(cursor: Cursor): TomlValue {
  const char = cursor.peek();
  if (char === '"' || char === "'") {
    if (cursor.text.startsWith(char.repeat(3), cursor.index)) cursor.fail('multi-line strings are not supported');
    return parseString(cursor);
  }
  if (char === '[') {
    cursor.index++;
    const items: TomlValue[] = [];
    for (;;) {
      cursor.skip(true);
      if (cursor.peek() === ']') break;
      items.push(parseValue(cursor));
      cursor.skip(true);
      if (cursor.peek() === ',') cursor.index++;
      else if (cursor.peek() !== ']') cursor.fail('expected "," or "]" in an array');
    }
    cursor.index++;
    return items;
  }
  const word = cursor.take(/^[^\s,\]#]+/);
  if (word === 'true' || word === 'false') return word === 'true';
  if (word !== undefined && /^[+-]?\d[\d_]*$/.test(word)) return Number(word.replace(/_/g, ''));
  return cursor.fail(`unsupported value "${word ?? char}" (expected a quoted string, true/false, a number or an array)`);
}

/** Follows a dotted table path, descending into the last element of arrays of tables. */
function descend(root: TomlTable, path: string[], cursor: Cursor): TomlTable {
  let table = root;
  for (const key of path) {
    let next = table[key];
    if (next === undefined) next = table[key] = {};
    if (Array.isArray(next)) next = next[next.length - 1];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cursor.fail(`"${key}" is not a table`);
    table = next as TomlTable;
  }
  return table;
}

export function parseToml(text: string, file = 'TOML'): TomlTable {
  const cursor = new Cursor(text, file);
  const root: TomlTable = {};
  let current = root;
  for (;;) {
    cursor.skip(true);
    if (cursor.index >= text.length) return root;
    if (cursor.peek() === '[') {
      const isArray = cursor.take(/^\[\[/) !== undefined;
      if (!isArray) cursor.index++;
      const path = parseKey(cursor);
      cursor.expect(']');
      if (isArray) cursor.expect(']');
      cursor.endOfLine();
      const parent = descend(root, path.slice(0, -1), cursor);
      const last = path[path.length - 1];
      if (isArray) {
        const list = parent[last] ?? (parent[last] = []);
        if (!Array.isArray(list)) cursor.fail(`"${path.join('.')}" is not an array of tables`);
        current = {};
        (list as TomlTable[]).push(current);
      } else {
        current = descend(parent, [last], cursor);
      }
      continue;
    }
    const key = parseKey(cursor);
    const table = descend(current, key.slice(0, -1), cursor);
    const name = key[key.length - 1];
    if (name in table) cursor.fail(`"${key.join('.')}" is defined twice`);
    cursor.expect('=');
    cursor.skip(false);
    table[name] = parseValue(cursor);
    cursor.endOfLine();
  }
}
