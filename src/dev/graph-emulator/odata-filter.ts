/**
 * A small OData `$filter` parser: the subset Graph documents for list items (eq, ne, lt, gt, le,
 * ge, startswith, and) plus `or`, `not` and parentheses, over property paths like `fields/Title`
 * or `teamsApp/id`. Parsing is separate from evaluation so list items can be compiled to SQL and
 * directory objects evaluated in memory.
 */

export type ComparisonOperator = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge';

export type FilterLiteral =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  /** An unquoted ISO date/time (OData DateTimeOffset literal). */
  | { kind: 'datetime'; value: string };

export type FilterExpression =
  | { kind: 'compare'; op: ComparisonOperator; path: string; literal: FilterLiteral }
  | { kind: 'startswith'; path: string; prefix: string }
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression };

export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

type Token =
  | { type: 'string'; value: string }
  | { type: 'word'; value: string }
  | { type: 'lparen' }
  | { type: 'rparen' }
  | { type: 'comma' };

const WORD = /[A-Za-z0-9_./:+\-@$]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i += 1;
    } else if (ch === '(') {
      tokens.push({ type: 'lparen' });
      i += 1;
    } else if (ch === ')') {
      tokens.push({ type: 'rparen' });
      i += 1;
    } else if (ch === ',') {
      tokens.push({ type: 'comma' });
      i += 1;
    } else if (ch === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError('Unterminated string literal');
        const c = text[i] as string;
        if (c === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += c;
        i += 1;
      }
      tokens.push({ type: 'string', value });
    } else if (WORD.test(ch)) {
      let value = '';
      while (i < text.length && WORD.test(text[i] as string)) {
        value += text[i] as string;
        i += 1;
      }
      tokens.push({ type: 'word', value });
    } else {
      throw new FilterSyntaxError(`Unexpected character '${ch}'`);
    }
  }
  return tokens;
}

const COMPARISONS = new Set<string>(['eq', 'ne', 'lt', 'gt', 'le', 'ge']);
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const PATH = /^[A-Za-z_@][A-Za-z0-9_@.]*(\/[A-Za-z_@][A-Za-z0-9_@.]*)*$/;

class Parser {
  private position = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): FilterExpression {
    const expression = this.parseOr();
    if (this.position < this.tokens.length)
      throw new FilterSyntaxError('Unexpected trailing input');
    return expression;
  }

  private peekWord(): string | undefined {
    const token = this.tokens[this.position];
    return token?.type === 'word' ? token.value.toLowerCase() : undefined;
  }

  private parseOr(): FilterExpression {
    let left = this.parseAnd();
    while (this.peekWord() === 'or') {
      this.position += 1;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parseUnary();
    while (this.peekWord() === 'and') {
      this.position += 1;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpression {
    if (this.peekWord() === 'not') {
      this.position += 1;
      return { kind: 'not', operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private expect(type: Token['type']): Token {
    const token = this.tokens[this.position];
    if (token?.type !== type) throw new FilterSyntaxError(`Expected ${type}`);
    this.position += 1;
    return token;
  }

  private parsePath(): string {
    const token = this.expect('word');
    if (token.type !== 'word' || !PATH.test(token.value)) {
      throw new FilterSyntaxError('Expected a property path');
    }
    return token.value;
  }

  private parsePrimary(): FilterExpression {
    const token = this.tokens[this.position];
    if (token === undefined) throw new FilterSyntaxError('Unexpected end of filter');
    if (token.type === 'lparen') {
      this.position += 1;
      const inner = this.parseOr();
      this.expect('rparen');
      return inner;
    }
    if (token.type === 'word' && token.value.toLowerCase() === 'startswith') {
      this.position += 1;
      this.expect('lparen');
      const path = this.parsePath();
      this.expect('comma');
      const prefix = this.expect('string');
      this.expect('rparen');
      if (prefix.type !== 'string') throw new FilterSyntaxError('startswith needs a string');
      return { kind: 'startswith', path, prefix: prefix.value };
    }
    const path = this.parsePath();
    const operator = this.peekWord();
    if (operator === undefined || !COMPARISONS.has(operator)) {
      throw new FilterSyntaxError(`Expected a comparison operator after '${path}'`);
    }
    this.position += 1;
    return {
      kind: 'compare',
      op: operator as ComparisonOperator,
      path,
      literal: this.parseLiteral(),
    };
  }

  private parseLiteral(): FilterLiteral {
    const token = this.tokens[this.position];
    this.position += 1;
    if (token?.type === 'string') return { kind: 'string', value: token.value };
    if (token?.type !== 'word') throw new FilterSyntaxError('Expected a literal');
    const word = token.value;
    const lower = word.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true' };
    if (lower === 'null') return { kind: 'null' };
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(word)) return { kind: 'number', value: Number(word) };
    if (ISO_DATETIME.test(word)) return { kind: 'datetime', value: word };
    throw new FilterSyntaxError(`Unrecognised literal '${word}'`);
  }
}

export function parseFilter(text: string): FilterExpression {
  return new Parser(tokenize(text)).parse();
}

/** Every property path a filter refers to. */
export function filterPaths(expression: FilterExpression): string[] {
  switch (expression.kind) {
    case 'compare':
    case 'startswith':
      return [expression.path];
    case 'and':
    case 'or':
      return [...filterPaths(expression.left), ...filterPaths(expression.right)];
    case 'not':
      return filterPaths(expression.operand);
  }
}

function literalValue(literal: FilterLiteral): string | number | boolean | null {
  switch (literal.kind) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'datetime':
      return literal.value;
    case 'null':
      return null;
  }
}

function resolvePath(target: unknown, path: string): unknown {
  let current: unknown = target;
  for (const part of path.split('/')) {
    if (current === null || typeof current !== 'object') return undefined;
    const record = current as Record<string, unknown>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : record[key];
  }
  return current;
}

function compareValues(actual: unknown, op: ComparisonOperator, expected: unknown): boolean {
  const a =
    typeof actual === 'string' && typeof expected === 'string' ? actual.toLowerCase() : actual;
  const b =
    typeof actual === 'string' && typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq':
      return (a ?? null) === b;
    case 'ne':
      return (a ?? null) !== b;
    case 'lt':
    case 'gt':
    case 'le':
    case 'ge': {
      if (a === null || a === undefined || b === null) return false;
      if (typeof a !== typeof b) return false;
      const x = a as string | number;
      const y = b as string | number;
      if (op === 'lt') return x < y;
      if (op === 'gt') return x > y;
      if (op === 'le') return x <= y;
      return x >= y;
    }
  }
}

/** Evaluates a filter against a plain object (directory objects): case-insensitive strings. */
export function evaluateFilter(expression: FilterExpression, target: unknown): boolean {
  switch (expression.kind) {
    case 'compare':
      return compareValues(
        resolvePath(target, expression.path),
        expression.op,
        literalValue(expression.literal),
      );
    case 'startswith': {
      const value = resolvePath(target, expression.path);
      return (
        typeof value === 'string' && value.toLowerCase().startsWith(expression.prefix.toLowerCase())
      );
    }
    case 'and':
      return evaluateFilter(expression.left, target) && evaluateFilter(expression.right, target);
    case 'or':
      return evaluateFilter(expression.left, target) || evaluateFilter(expression.right, target);
    case 'not':
      return !evaluateFilter(expression.operand, target);
  }
}
