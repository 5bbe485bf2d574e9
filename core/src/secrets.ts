/**
 * The one rule every service applies to its secrets before it starts in production (NODE_ENV=production):
 * no value this repository publishes (development defaults, the demo's and the tests' keys), nothing
 * short, nothing with little entropy (one byte repeated, a repeating pattern, a run like 0123456789),
 * and no secret used for two purposes. Problems name the variable, never the value.
 */

/**
 * Secrets written in this repository for development, the demo and the tests. Public, so a service
 * configured with one of them can be impersonated by anyone who reads the code.
 */
const publishedSecrets: readonly string[] = [
  // core/src/config.ts development defaults
  'dev-core-secret-change-me',
  '00'.repeat(32),
  // the development campus key (bff/src/config.ts, mock/devices/demo.ts): secret 32 × 0x01 and its public half
  '01'.repeat(32),
  '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c',
  // device-gateway/src/config.ts development default
  'dev-secret-0123456789abcdef',
  // mock/demo/system.ts
  'demo-jwt-secret-change-me-0123456789abcdef',
  'demo-app-secret',
  'DEMOAPIV3KEY0123456789ABCDEFGHIJ',
  'demo-sms-access-key-secret',
  // tests/kit/core.ts (the test service key)
  'test-secret-0123456789abcdef',
];
const published = new Set(publishedSecrets.map((s) => s.toLowerCase()));
/** Words that only a placeholder contains. */
const placeholderMarks = ['change-me', 'changeme', 'change_me', 'replace-me', 'placeholder'];

/** Characters (or bytes, for hex) a secret has at least, unless its rule says otherwise. */
export const secretCharsMin = 32;
/** Estimated bits of entropy a secret has at least (a random 32-character hex string has about 115). */
const secretBitsMin = 64;
/** A run this long of consecutive symbols (abcdefgh, 87654321) is a pattern, not chance. */
const runLengthMax = 7;

export interface SecretRule {
  /** Fewest characters; hex keys are checked as bytes and their length is their schema's business. */
  charsMin?: number;
  /** The value is hex-encoded bytes (a key): entropy and patterns are judged on the bytes. */
  hex?: boolean;
}

/** Why this secret must not be used in production, or undefined when it may; never mentions the value. */
export function secretWeakness(value: string | undefined, rule: SecretRule = {}): string | undefined {
  if (value === undefined || value === '') return 'is not set';
  const lower = value.toLowerCase();
  if (published.has(lower) || placeholderMarks.some((mark) => lower.includes(mark)))
    return 'is a development or example value published in this repository';
  const symbols =
    rule.hex && /^(?:[0-9a-f]{2})+$/i.test(value)
      ? [...Buffer.from(value, 'hex')]
      : [...value].map((c) => c.codePointAt(0) ?? 0);
  const charsMin = rule.charsMin ?? (rule.hex ? 16 : secretCharsMin);
  if (symbols.length < charsMin)
    return `is too short (at least ${charsMin} ${rule.hex ? 'bytes' : 'characters'})`;
  if (new Set(symbols).size === 1) return 'is one symbol repeated';
  if (periodic(symbols) || repetitive(symbols)) return 'is a repeating pattern';
  if (longestRun(symbols) > runLengthMax) return 'contains a run of consecutive symbols';
  if (estimatedBits(symbols) < secretBitsMin) return 'has too little entropy (too few different symbols)';
  return undefined;
}

/** A secret's place in one service's configuration: its variable, its value, how it is judged. */
export interface NamedSecret extends SecretRule {
  name: string;
  value: string | undefined;
}

/**
 * Refuses to start (throws) when any secret is published, weak, or the same as another in the list;
 * the message names every offending variable and no value.
 */
export function assertProductionSecrets(service: string, secrets: readonly NamedSecret[]): void {
  const problems: string[] = [];
  for (const secret of secrets) {
    const weakness = secretWeakness(secret.value, secret);
    if (weakness) problems.push(`${secret.name} ${weakness}`);
  }
  for (let i = 0; i < secrets.length; i++)
    for (let j = i + 1; j < secrets.length; j++) {
      const [a, b] = [secrets[i], secrets[j]];
      if (a?.value && a.value.toLowerCase() === b?.value?.toLowerCase())
        problems.push(`${a.name} and ${b.name} are the same secret; each needs its own`);
    }
  if (problems.length > 0)
    throw new Error(`${service} refuses to start in production: ${problems.join('; ')}`);
}

/** True when the sequence repeats with a period at most half its length (abcabcabc…). */
function periodic(symbols: readonly number[]): boolean {
  for (let period = 1; period <= symbols.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < symbols.length && repeats; i++) repeats = symbols[i] === symbols[i - period];
    if (repeats) return true;
  }
  return false;
}

/** True when many of its three-symbol pieces occur more than once (passwordpassword…1). */
function repetitive(symbols: readonly number[]): boolean {
  const pieces = new Set<string>();
  for (let i = 0; i + 3 <= symbols.length; i++) pieces.add(symbols.slice(i, i + 3).join(','));
  return pieces.size < 0.75 * (symbols.length - 2);
}

/** The longest stretch where each symbol is one more (or each one less) than the one before. */
function longestRun(symbols: readonly number[]): number {
  let longest = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < symbols.length; i++) {
    const step = (symbols[i] ?? 0) - (symbols[i - 1] ?? 0);
    up = step === 1 ? up + 1 : 1;
    down = step === -1 ? down + 1 : 1;
    longest = Math.max(longest, up, down);
  }
  return longest;
}

/** Shannon entropy of the observed symbol frequencies times the length: low for few distinct symbols. */
function estimatedBits(symbols: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let perSymbol = 0;
  for (const count of counts.values()) {
    const p = count / symbols.length;
    perSymbol -= p * Math.log2(p);
  }
  return perSymbol * symbols.length;
}
