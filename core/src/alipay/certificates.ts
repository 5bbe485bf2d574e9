import { createHash, X509Certificate } from 'node:crypto';

/**
 * Alipay's public-key certificate mode (公钥证书模式): instead of Alipay's bare public key, the app holds
 * three certificates from the open-platform console: its own app certificate (appCertPublicKey_<appid>.crt,
 * whose SN goes with every request as app_cert_sn), Alipay's public certificate (alipayCertPublicKey_RSA2.crt,
 * whose key verifies answers and notifications) and Alipay's root certificates (alipayRootCert.crt, whose
 * SN goes as alipay_root_cert_sn). The SDK computes the SNs; this checks, before the SDK is given them,
 * that each parses, is in date, and that Alipay's public certificate chains to one of the roots.
 */
export interface AlipayCertificates {
  /** PEM of the app certificate. */
  appCert: string;
  /** PEM of Alipay's public certificate (and any intermediate after it). */
  alipayPublicCert: string;
  /** PEM of Alipay's root certificates, one or more. */
  alipayRootCert: string;
}

/** The organisation every certificate of the local stand-in (mock/alipay) names; production refuses them. */
export const standInCertificateOrganization = 'Campus Card Alipay Stand-in';

const pemBlocks = (text: string): string[] =>
  text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

function parseAll(name: string, text: string): X509Certificate[] {
  const blocks = pemBlocks(text);
  if (blocks.length === 0) throw new Error(`${name} holds no PEM certificate`);
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    throw new Error(`${name} holds a certificate that cannot be read`);
  }
}

/**
 * Throws, naming the variable, when a certificate cannot be read or is out of date, or when Alipay's
 * public certificate is not issued (through the intermediates after it, at most 3 steps) by one of the roots.
 */
export function checkAlipayCertificates(
  certs: AlipayCertificates,
  names: Record<keyof AlipayCertificates, string>,
  nowMs = Date.now(),
): void {
  const app = parseAll(names.appCert, certs.appCert);
  const [alipay, ...intermediates] = parseAll(names.alipayPublicCert, certs.alipayPublicCert);
  const roots = parseAll(names.alipayRootCert, certs.alipayRootCert);
  const inDate = (name: string, cert: X509Certificate) => {
    if (Date.parse(cert.validFrom) > nowMs || Date.parse(cert.validTo) < nowMs)
      throw new Error(`${name} is not valid now (${cert.validFrom} – ${cert.validTo})`);
  };
  for (const cert of app) inDate(names.appCert, cert);
  if (alipay === undefined) throw new Error(`${names.alipayPublicCert} holds no PEM certificate`);
  inDate(names.alipayPublicCert, alipay);
  let current = alipay;
  for (let step = 0; step < 4; step++) {
    const root = roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
    if (root) return;
    const next = intermediates.find((c) => current.checkIssued(c) && current.verify(c.publicKey));
    if (next === undefined) break;
    current = next;
  }
  throw new Error(`${names.alipayPublicCert} is not issued by a certificate of ${names.alipayRootCert}`);
}

/** True when any certificate in the PEM text is the stand-in's (its subject or issuer names it). */
export function isStandInCertificate(text: string): boolean {
  return pemBlocks(text).some((block) => {
    try {
      const cert = new X509Certificate(block);
      return `${cert.subject}\n${cert.issuer}`.includes(standInCertificateOrganization);
    } catch {
      return false;
    }
  });
}

/**
 * Alipay's SN of a certificate (what answers name as alipay_cert_sn): MD5 of the issuer's name, its
 * attributes last first (`CN=…,OU=…,O=…,C=…`), followed by the serial number in decimal.
 */
export function alipayCertSn(pem: string): string {
  const cert = new X509Certificate(pem);
  const issuer = cert.issuer.split('\n').reverse().join(',');
  return createHash('md5')
    .update(`${issuer}${BigInt(`0x${cert.serialNumber}`).toString(10)}`, 'utf8')
    .digest('hex');
}
