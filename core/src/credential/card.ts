// What a credential says about the card it stands for, and how those facts are packed into bytes.

/** Everyone who can hold a campus card. Byte values are part of the wire format: never renumber. */
export const personTypes = ['student', 'staff', 'alumnus', 'visitor'] as const;
export type PersonType = (typeof personTypes)[number];

const personTypeByte: Record<PersonType, number> = {
  student: 1, // 0x01
  staff: 2, // 0x02
  alumnus: 3, // 0x03
  visitor: 4, // 0x04
};

export function personTypeToByte(personType: PersonType): number {
  return personTypeByte[personType];
}

export function personTypeFromByte(byte: number): PersonType | undefined {
  return personTypes.find((type) => personTypeByte[type] === byte);
}

/** The card facts a verifier hands to the caller once a code checks out. */
export interface CardCredential {
  /** Decimal digits, 1 to 16, leading zeros kept: campus card numbers are identifiers, not amounts. */
  readonly cardNo: string;
  readonly personType: PersonType;
  /** The card's version when the certificate was issued; every lifecycle change bumps it. */
  readonly cardVersion: number;
}

export const cardNoDigitsMax = 16;
/** Packed BCD, two digits a byte, padded at the end with 0xF nibbles. */
export const cardNoBytes = cardNoDigitsMax / 2;

export function isCardNo(cardNo: string): boolean {
  return cardNo.length >= 1 && cardNo.length <= cardNoDigitsMax && /^[0-9]+$/.test(cardNo);
}

/**
 * Packs the card number as BCD rather than as a binary integer so that leading zeros survive and the
 * hex dump of a payload shows the card number as is.
 */
export function packCardNo(cardNo: string): Uint8Array {
  if (!isCardNo(cardNo)) throw new Error(`card number must be 1–${cardNoDigitsMax} digits, got "${cardNo}"`);
  const nibbles = [...cardNo].map(Number);
  while (nibbles.length < cardNoDigitsMax) nibbles.push(0xf);
  const out = new Uint8Array(cardNoBytes);
  for (let i = 0; i < cardNoBytes; i++) out[i] = ((nibbles[i * 2] ?? 0xf) << 4) | (nibbles[i * 2 + 1] ?? 0xf);
  return out;
}

/** Returns undefined unless the bytes are digits followed only by padding, with at least one digit. */
export function unpackCardNo(bytes: Uint8Array): string | undefined {
  if (bytes.length !== cardNoBytes) return undefined;
  let cardNo = '';
  let padding = false;
  for (let i = 0; i < cardNoDigitsMax; i++) {
    const byte = bytes[i >> 1] ?? 0xff;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    if (nibble === 0xf) padding = true;
    else if (nibble > 9 || padding) return undefined;
    else cardNo += String.fromCharCode(0x30 + nibble);
  }
  return cardNo.length > 0 ? cardNo : undefined;
}
