// Model-name globs (`providers.<id>.model_patterns`, tenants' `allowed_models`): `*` is any run of
// characters, `?` one character, `[a-z]` / `[!a-z]` one character of (or not of) a set; anything else is
// literal. Two providers whose patterns can match one same name would make routing depend on config order,
// so `patternsOverlap` decides, at startup, whether two globs share a name and gives one as an example.

type CharSet = { neg: boolean; ranges: Array<[number, number]> };
type Token = { star: true } | { star: false; set: CharSet };

export class GlobSyntaxError extends Error {}

function parse(glob: string): Token[] {
  const out: Token[] = [];
  const cps = [...glob].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === 42 /* * */) {
      if (!(out.at(-1) as { star?: boolean } | undefined)?.star) out.push({ star: true });
    } else if (c === 63 /* ? */) out.push({ star: false, set: { neg: true, ranges: [] } });
    else if (c === 91 /* [ */) {
      let j = i + 1;
      const neg = cps[j] === 33 /* ! */ || cps[j] === 94; /* ^ */
      if (neg) j++;
      const ranges: Array<[number, number]> = [];
      // A `]` right after the opening bracket is a literal member, as in shell globs.
      for (let first = true; j < cps.length && (first || cps[j] !== 93); first = false) {
        const lo = cps[j]!;
        if (cps[j + 1] === 45 /* - */ && j + 2 < cps.length && cps[j + 2] !== 93) {
          const hi = cps[j + 2]!;
          if (hi < lo) throw new GlobSyntaxError(`'${glob}': range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)} is reversed`);
          ranges.push([lo, hi]);
          j += 3;
        } else {
          ranges.push([lo, lo]);
          j++;
        }
      }
      if (j >= cps.length) throw new GlobSyntaxError(`'${glob}': '[' is not closed by ']'`);
      out.push({ star: false, set: { neg, ranges } });
      i = j;
    } else out.push({ star: false, set: { neg: false, ranges: [[c, c]] } });
  }
  return out;
}

function inSet(s: CharSet, c: number): boolean {
  return s.ranges.some(([lo, hi]) => c >= lo && c <= hi) !== s.neg;
}

/** Throws GlobSyntaxError for a malformed glob (an unclosed `[`, a reversed range). */
export function checkGlob(glob: string): void {
  parse(glob);
}

/** Compiles a glob once; the returned function tests whole names. */
export function compileGlob(glob: string): (name: string) => boolean {
  const tokens = parse(glob);
  if (tokens.every((t) => !t.star)) {
    return (name) => {
      const cps = [...name];
      return cps.length === tokens.length && tokens.every((t, i) => inSet((t as { set: CharSet }).set, cps[i]!.codePointAt(0)!));
    };
  }
  return (name) => matchTokens(tokens, [...name].map((c) => c.codePointAt(0)!));
}

function matchTokens(tokens: Token[], cps: number[]): boolean {
  // Classic greedy star matching with backtracking to the last star: linear in practice, no regex.
  let t = 0;
  let c = 0;
  let starT = -1;
  let starC = 0;
  while (c < cps.length) {
    const tok = tokens[t];
    if (tok && !tok.star && inSet(tok.set, cps[c]!)) {
      t++;
      c++;
    } else if (tok?.star) {
      starT = t++;
      starC = c;
    } else if (starT >= 0) {
      t = starT + 1;
      c = ++starC;
    } else return false;
  }
  while (tokens[t]?.star) t++;
  return t === tokens.length;
}

export function matchesGlob(glob: string, name: string): boolean {
  return compileGlob(glob)(name);
}

/** Whether any of `globs` matches `name`. */
export function matchesAny(globs: readonly string[], name: string): boolean {
  return globs.some((g) => matchesGlob(g, name));
}

/** A character in both sets, if any: one of the sets' own boundaries (or next to one), or a character neither names. */
function commonChar(a: CharSet, b: CharSet): number | undefined {
  const candidates = new Set<number>([120 /* x */, 48, 0x2e, 0x2d]);
  for (const s of [a, b]) for (const [lo, hi] of s.ranges) for (const c of [lo - 1, lo, hi, hi + 1]) if (c >= 0x20) candidates.add(c);
  // A character outside every range of both sets: the one just above the highest bound.
  const top = Math.max(0x7e, ...a.ranges.map((r) => r[1]), ...b.ranges.map((r) => r[1]));
  candidates.add(top + 1);
  for (const c of candidates) if (inSet(a, c) && inSet(b, c)) return c;
  return undefined;
}

const ANY: CharSet = { neg: true, ranges: [] };

/**
 * A name both globs match, or undefined when none exists. A search over pairs of positions in the two
 * globs (the product of their automata): a star may be skipped or may swallow one more character.
 */
export function patternsOverlap(a: string, b: string): string | undefined {
  const ta = parse(a);
  const tb = parse(b);
  const key = (i: number, j: number) => i * (tb.length + 1) + j;
  const prev = new Map<number, { from: number; ch?: number }>([[key(0, 0), { from: -1 }]]);
  const queue: Array<[number, number]> = [[0, 0]];
  const visit = (i: number, j: number, from: number, ch?: number) => {
    const k = key(i, j);
    if (prev.has(k)) return;
    prev.set(k, { from, ch });
    queue.push([i, j]);
  };
  while (queue.length) {
    const [i, j] = queue.shift()!;
    const here = key(i, j);
    if (i === ta.length && j === tb.length) {
      const chars: number[] = [];
      for (let p = prev.get(here)!; p.from >= 0; p = prev.get(p.from)!) if (p.ch !== undefined) chars.push(p.ch);
      return String.fromCodePoint(...chars.reverse());
    }
    const x = ta[i];
    const y = tb[j];
    if (x?.star) visit(i + 1, j, here);
    if (y?.star) visit(i, j + 1, here);
    // Consume one character on both sides; a star stays put (both staying would loop on itself).
    if (x && y && !(x.star && y.star)) {
      const c = commonChar(x.star ? ANY : x.set, y.star ? ANY : y.set);
      if (c !== undefined) visit(x.star ? i : i + 1, y.star ? j : j + 1, here, c);
    }
  }
  return undefined;
}
