/**
 * The one order in which sites, lists and member counts travel between agent and API.
 *
 * The key folds ASCII letters only and keys compare by Unicode code point. Both choices exist
 * so that SQL can produce exactly the same order on SQLite and MySQL: a full Unicode lower-case
 * differs between engines (SQLite's lower() is ASCII-only, MySQL's follows its collation), and
 * code point order is what a binary comparison of UTF-8 bytes gives. For ASCII names (ListManager
 * list and site names are e-mail local parts and host names) this is the same as JavaScript `<`
 * on `name.toLowerCase()`.
 */
export function nameKey(name: string): string {
  // Most names have no capital: a test without a match costs half a replace without one
  // (a validation keys each of 100,000 lists four times).
  return HAS_CAPITAL.test(name) ? name.replace(CAPITALS, (letters) => letters.toLowerCase()) : name;
}

const HAS_CAPITAL = /[A-Z]/;
const CAPITALS = /[A-Z]+/g;

/** Negative, zero or positive as key `a` sorts before, with or after key `b` (code point order). */
export function compareNameKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Compares two names by their keys: the order the agent streams in. */
export function compareNames(a: string, b: string): number {
  return compareNameKeys(nameKey(a), nameKey(b));
}

// UTF-16 puts surrogates (astral characters) below U+E000..U+FFFF; code point order puts them
// above. Shifting the two ranges at the first differing unit restores code point order.
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
