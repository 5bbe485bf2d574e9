/**
 * The one rule for text arriving from outside (HTTP edges, imported sheets). Control characters (C0, DEL, C1) are never data here: a
 * NUL cuts strings short in C libraries and SQLite (a 500 before this rule), others forge log lines
 * or hide text on screen. Lone UTF-16 surrogates (JSON's \ud800) cannot be stored as utf8mb4. Text
 * in a body may keep tab, line feed and carriage return (an announcement has lines); a path or a
 * query string has no use for any of them. Text direction controls are refused everywhere (below).
 */
const controlCharacters = /\p{Cc}/u;
const controlCharactersButLineBreaks = /(?![\t\n\r])\p{Cc}/u;
/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069): not
 * control characters to Unicode (Cf), but in a merchant's, device's or person's name they reorder
 * what a bill, a receipt or the backoffice shows ("Trojan Source"): an RLO makes a name read backwards.
 */
const directionControls = /[\u202a-\u202e\u2066-\u2069]/u;
/** With the u flag a pair is one code point, so only a surrogate without its partner matches. */
const loneSurrogate = /[\ud800-\udfff]/u;

/** Any of the three at once: most text is fine, and one scan of it is all it then costs (issue #20). */
const anyProblem = new RegExp(
  [controlCharacters, directionControls, loneSurrogate].map((r) => r.source).join('|'),
  'u',
);
const anyProblemButLineBreaks = new RegExp(
  [controlCharactersButLineBreaks, directionControls, loneSurrogate].map((r) => r.source).join('|'),
  'u',
);

/** Why this text may not enter (undefined: it may); lineBreaks allows tab, LF and CR. */
export function textProblem(text: string, options: { lineBreaks: boolean }): string | undefined {
  if (!(options.lineBreaks ? anyProblemButLineBreaks : anyProblem).test(text)) return undefined;
  if ((options.lineBreaks ? controlCharactersButLineBreaks : controlCharacters).test(text))
    return 'control characters are not allowed';
  if (directionControls.test(text)) return 'text direction controls are not allowed';
  if (loneSurrogate.test(text)) return 'not valid Unicode text';
  return undefined;
}

/** Where a value sits in a parsed body: its key under its parent's place; made into a path only for a problem. */
interface Place {
  readonly parent: Place | undefined;
  readonly key: string;
}

function pathOf(place: Place | undefined): string {
  const keys: string[] = [];
  for (let at = place; at !== undefined; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

/**
 * The first string (or object key) anywhere in a parsed value that breaks textProblem, with its
 * path; walked without recursion, so a deeply nested body cannot exhaust the stack.
 */
export function findTextProblem(
  value: unknown,
  options: { lineBreaks: boolean },
): { path: string; message: string } | undefined {
  const pending: [Place | undefined, unknown][] = [[undefined, value]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [place, item] = next;
    if (typeof item === 'string') {
      const message = textProblem(item, options);
      if (message) return { path: pathOf(place), message };
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        const at: Place = { parent: place, key };
        const message = textProblem(key, { lineBreaks: false });
        if (message) return { path: pathOf(at), message: `a key: ${message}` };
        pending.push([at, child]);
      }
    }
  }
  return undefined;
}
