// Every size the protocol allows, in one place, so the codec, the session and docs/protocol.md agree.
// Names end with their unit; a limit that a peer can push against has a maximum here.

/** Version 1 of the wire format; the only one this codec speaks. */
export const protocolVersion = 1;

/** First two bytes of every frame, "CAmpus carD". Not ASCII, so a stray HTTP or telnet client fails at once. */
export const magicBytes = [0xca, 0xcd] as const;

/**
 * Magic (2) + version (1) + frame length (2). These five bytes keep their meaning in every version, so a
 * receiver can always find the end of a frame it cannot read and answer it with an ERROR frame.
 */
export const prefixBytes = 5;

/** The fixed header of a version 1 frame, up to the payload. */
export const headerBytes = 23;

/** HMAC-SHA256 truncated to its first 16 bytes (128 bits), as RFC 2104 §5 allows (at least half the hash). */
export const macBytes = 16;

/** The largest frame anyone may declare. Checked on the length field, before a single payload byte is buffered. */
export const frameBytesMax = 4096;

/** A frame with an empty payload. A shorter declared length cannot be a frame of any version. */
export const frameBytesMin = headerBytes + macBytes;

export const payloadBytesMax = frameBytesMax - frameBytesMin;

/** Device keys are 32 random bytes, provisioned when the device is registered. */
export const deviceKeyBytes = 32;

/** The server's and the device's sign-in nonces. */
export const signInNonceBytes = 16;

/** HMAC-SHA256 output, used whole for the sign-in response and the server proof. */
export const signInProofBytes = 32;

/** AES-256-GCM: 12-byte random nonce in front, 16-byte tag behind the ciphertext. */
export const gcmNonceBytes = 12;
export const gcmTagBytes = 16;
export const sealOverheadBytes = gcmNonceBytes + gcmTagBytes;

/** The plaintext an encrypted payload can carry and still fit in one frame. */
export const sealedPayloadBytesMax = payloadBytesMax - sealOverheadBytes;

/** A scanned code as text: the campus QR ("CC:" + Base45 of 191 bytes) is 290 characters. */
export const codeBytesMax = 512;
export const cardNoDigitsMax = 20;
/** Packed BCD, two digits a byte. */
export const cardNoBytes = cardNoDigitsMax / 2;
export const pinDigits = 6;

/** Merchant ids, attendance session ids: the core's entity ids. */
export const idBytesMax = 32;
/** Hold ids are the core's operation ids. */
export const holdIdBytesMax = 64;
export const firmwareBytesMax = 32;
/** UTF-8 bytes; a Chinese name is 3 bytes a character, so 21 characters. */
export const displayNameBytesMax = 64;
export const errorMessageBytesMax = 200;

export const priceItemsMax = 16;
export const priceItemNameBytesMax = 24;
export const mealWindowsMax = 8;
export const minutesPerDay = 1440;
/** Campus keys in one config: the active one, the one being retired, and room for a rotation. */
export const campusKeysMax = 4;
export const campusPublicKeyBytes = 32;

/** Records in one OFFLINE_UPLOAD; the frame size usually binds first (a QR record is about 340 bytes). */
export const offlineRecordsPerUploadMax = 64;
/** Gap ranges in one OFFLINE_UPLOAD_RESULT: the lowest ones; the rest are reported on the next upload. */
export const gapRangesMax = 32;

/** 10 + 256 × 15 = 3,850 bytes of plaintext, within `sealedPayloadBytesMax`. */
export const blacklistEntriesPerChunkMax = 256;
/** 10 + 250 × 16 = 4,010 bytes of plaintext, within `sealedPayloadBytesMax`. */
export const blacklistDeltaEntriesMax = 250;

/** The heartbeat interval the server may assign at sign-in. */
export const heartbeatSecondsMin = 30;
export const heartbeatSecondsMax = 90;

export const uint16Max = 0xffff;
export const uint32Max = 0xffff_ffff;
