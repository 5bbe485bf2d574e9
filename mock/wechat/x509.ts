import {
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';

/**
 * X.509 v3 certificates (self-signed, or issued by a stand-in CA) made with node:crypto alone. Node can
 * parse certificates but not make them, and the WeChat Pay SDK insists on PEM certificates (it reads the
 * merchant serial number from one and the platform public key from the others), so we write the few
 * DER structures by hand. The Alipay stand-in's certificate mode issues its chain with issueCertificate.
 */
export interface CertifiedKey {
  privateKey: KeyObject;
  privateKeyPem: string;
  certificatePem: string;
  /** Upper-case hex, the way WeChat prints serial numbers (the SDK lower-cases them). */
  serialNo: string;
}

const RSA_BITS = 2048;
const SERIAL_BYTES = 20;

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = parts;
  const bytes: number[] = [first * 40 + second];
  for (const part of rest) {
    const chunk: number[] = [];
    let value = part;
    do {
      chunk.unshift(value & 0x7f);
      value = Math.floor(value / 128);
    } while (value > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = (chunk[i] ?? 0) | 0x80;
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  // UTCTime YYMMDDHHMMSSZ is valid until 2049, long past any test run.
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return der(0x17, Buffer.from(`${text}Z`, 'ascii'));
}

function distinguishedName(commonName: string, organization: string, unit?: string): Buffer {
  const attribute = (type: string, value: string) =>
    der(0x31, der(0x30, oid(type), der(0x0c, Buffer.from(value, 'utf8'))));
  return der(
    0x30,
    attribute('2.5.4.6', 'CN'),
    attribute('2.5.4.10', organization),
    ...(unit === undefined ? [] : [attribute('2.5.4.11', unit)]),
    attribute('2.5.4.3', commonName),
  );
}

const sha256WithRsa = der(0x30, oid('1.2.840.113549.1.1.11'), der(0x05));

/** Who a certificate names: C=CN, O, optionally OU, CN, in that order. */
export interface CertificateName {
  commonName: string;
  organization: string;
  unit?: string;
}

/**
 * A certificate for `publicKey` naming `subject`, signed by `issuer` (its name and private key), or
 * self-signed by `issuer.privateKey` when the issuer's name is the subject's. A CA certificate carries
 * basicConstraints CA:TRUE (critical). Valid for `validDays` from yesterday. Answers the PEM and the
 * serial in upper-case hex.
 */
export function issueCertificate(input: {
  subject: CertificateName;
  publicKey: KeyObject;
  issuer: { name: CertificateName; privateKey: KeyObject };
  ca?: boolean;
  validDays?: number;
}): { certificatePem: string; serialNo: string } {
  const serial = randomBytes(SERIAL_BYTES);
  // A positive INTEGER with no leading zero byte, so DER and every parser agree on the serial.
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const now = Date.now();
  const nameOf = (n: CertificateName) => distinguishedName(n.commonName, n.organization, n.unit);
  const extensions = input.ca
    ? [
        der(
          0xa3,
          der(
            0x30,
            der(
              0x30,
              oid('2.5.29.19'),
              der(0x01, Buffer.from([0xff])),
              der(0x04, der(0x30, der(0x01, Buffer.from([0xff])))),
            ),
          ),
        ),
      ]
    : [];
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    sha256WithRsa,
    nameOf(input.issuer.name),
    der(
      0x30,
      utcTime(new Date(now - 86_400_000)),
      utcTime(new Date(now + (input.validDays ?? 365) * 86_400_000)),
    ),
    nameOf(input.subject),
    input.publicKey.export({ type: 'spki', format: 'der' }),
    ...extensions,
  );
  const signature = createSign('RSA-SHA256').update(tbs).sign(input.issuer.privateKey);
  const certificate = der(0x30, tbs, sha256WithRsa, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString('base64').replace(/(.{64})/g, '$1\n');
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`;
  // Parsing our own output is the cheapest proof the DER is well formed.
  const parsed = new X509Certificate(certificatePem);
  if (!parsed.verify(createPublicKey(input.issuer.privateKey)))
    throw new Error('the certificate does not verify with its issuer key');
  return { certificatePem, serialNo: serial.toString('hex').toUpperCase() };
}

/** Makes an RSA-2048 key and a self-signed certificate for it valid for `validDays` from yesterday. */
export function makeCertifiedKey(
  commonName: string,
  organization = 'Tenpay.com',
  validDays = 365,
): CertifiedKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: RSA_BITS });
  const name = { commonName, organization };
  const { certificatePem, serialNo } = issueCertificate({
    subject: name,
    publicKey,
    issuer: { name, privateKey },
    validDays,
  });
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem,
    serialNo,
  };
}
