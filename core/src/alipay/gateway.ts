import { X509Certificate } from 'node:crypto';
import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import { formatDateTime } from '../time.ts';
import { type AlipayCertificates, alipayCertSn, checkAlipayCertificates } from './certificates.ts';

export {
  type AlipayCertificates,
  alipayCertSn,
  checkAlipayCertificates,
  isStandInCertificate,
  standInCertificateOrganization,
} from './certificates.ts';

/**
 * The one way this project calls Alipay's classic gateway (the BFF's sign-in and payments, the core's
 * template messages): the official alipay-sdk, with every answer's
 * RSA2 signature checked (the SDK skips the check unless asked) and the request timestamp written in
 * Beijing time whatever the process's zone (the SDK would format it in the local zone). Results are
 * values: a verified answer, a verified refusal with Alipay's codes, or "unavailable" for anything that
 * cannot be trusted or was not answered.
 */
export interface AlipayGatewayOptions {
  appId: string;
  /** The app private key, PEM (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`). */
  privateKey: string;
  /**
   * Key mode: Alipay's public key, PEM or the bare base64 the open-platform console shows. Exactly one
   * of this and `certs`.
   */
  alipayPublicKey?: string | undefined;
  /**
   * Public-key certificate mode (公钥证书模式): the app, Alipay public and Alipay root certificates. Every
   * request then carries app_cert_sn and alipay_root_cert_sn, and answers are verified with the key of
   * Alipay's public certificate, which must chain to the root (checked here at construction).
   */
  certs?: AlipayCertificates | undefined;
  /** The classic gateway, `https://openapi.alipay.com/gateway.do` (the stand-in's locally). */
  gatewayUrl: string;
  timeoutMs?: number;
}

export type GatewayResult =
  | { kind: 'ok'; data: Record<string, unknown> }
  /** Alipay refused, and said so in a signed answer: the codes can be acted on. */
  | { kind: 'refused'; code: string; subCode: string; subMsg: string }
  /**
   * No answer, not HTTP 200, not JSON, or a signature that does not verify: nothing in it is trusted.
   * `unreachable` (the connection was refused) and `http_status` (the gateway answered an error status)
   * mean the call was not taken; the others may have been.
   */
  | {
      kind: 'unavailable';
      reason: 'unreachable' | 'transport' | 'http_status' | 'malformed' | 'bad_signature';
    };

const certificateNames = {
  appCert: 'ALIPAY_APP_CERT',
  alipayPublicCert: 'ALIPAY_PUBLIC_CERT',
  alipayRootCert: 'ALIPAY_ROOT_CERT',
} as const;

export class AlipayGateway {
  readonly sdk: AlipaySdk;
  readonly appId: string;
  /** Cert mode: the certificates in force (Alipay's public one replaced when Alipay renews it). */
  #certs: AlipayCertificates | undefined;
  /** Downloads of a renewed certificate under way, by SN: calls meeting it together fetch it once. */
  readonly #renewals = new Map<string, Promise<boolean>>();

  constructor(options: AlipayGatewayOptions) {
    this.appId = options.appId;
    const privateKey = options.privateKey.trim();
    const { alipayPublicKey, certs } = options;
    if ((alipayPublicKey === undefined) === (certs === undefined))
      throw new Error(
        "Alipay needs exactly one of Alipay's public key (key mode) and the certificates (cert mode)",
      );
    if (certs) checkAlipayCertificates(certs, certificateNames);
    this.#certs = certs;
    // The SDK rebuilds PEM from lines and keeps a trailing empty line as part of the key: keys are trimmed.
    this.sdk = new AlipaySdk({
      appId: options.appId,
      privateKey,
      keyType: privateKey.includes('BEGIN PRIVATE KEY') ? 'PKCS8' : 'PKCS1',
      ...(certs
        ? {
            appCertContent: certs.appCert,
            alipayPublicCertContent: certs.alipayPublicCert,
            alipayRootCertContent: certs.alipayRootCert,
          }
        : { alipayPublicKey: alipayPublicKey?.trim() }),
      gateway: options.gatewayUrl,
      timeout: options.timeoutMs ?? 5_000,
      camelcase: false,
    });
  }

  /**
   * Calls one classic method. `params` are the top-level parameters (grant_type, code, notify_url …)
   * and `bizContent` the method's business fields.
   */
  async exec(method: string, params: Record<string, unknown> = {}): Promise<GatewayResult> {
    let answer: Record<string, unknown>;
    try {
      answer = (await this.sdk.exec(
        method,
        { ...params, timestamp: formatDateTime(Date.now()) },
        { validateSign: true },
      )) as Record<string, unknown>;
    } catch (error) {
      return (await this.#underRenewedCertificate(method, error)) ?? this.#failure(error);
    }
    return resultOf(answer);
  }

  /** Cert mode: the SN of Alipay's public certificate in force (the SDK's, from the certificate). */
  get alipayCertSn(): string | undefined {
    return this.#certs ? this.sdk.config.alipayCertSn : undefined;
  }

  /**
   * Cert mode: Alipay renews its public certificate before the old one expires, and from then on signs
   * with the new key and names the new SN (alipay_cert_sn) in its answers. An answer that does not
   * verify but names an SN other than ours is therefore the moment to fetch that certificate
   * (alipay.open.app.alipaycert.download), check it chains to the configured root and carries that SN,
   * take its key, and verify the same answer again with it. Anything short of that leaves the answer
   * untrusted (undefined: the caller's usual bad_signature) and the certificate in force unchanged.
   */
  async #underRenewedCertificate(method: string, error: unknown): Promise<GatewayResult | undefined> {
    if (this.#certs === undefined || !(error instanceof AlipayRequestError)) return undefined;
    const raw = error.responseDataRaw;
    if (typeof raw !== 'string') return undefined;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const sn = parsed.alipay_cert_sn;
    if (typeof sn !== 'string' || sn === this.sdk.config.alipayCertSn) return undefined;
    if (!(await this.#renew(sn))) return undefined;
    const methodKey = `${method.replaceAll('.', '_')}_response`;
    const key = parsed[methodKey] !== undefined ? methodKey : 'error_response';
    const inner = parsed[key];
    if (typeof parsed.sign !== 'string' || typeof inner !== 'object' || inner === null) return undefined;
    if (!this.sdk.rsaCheck(this.sdk.getSignStr(raw, key), parsed.sign, 'RSA2')) return undefined;
    return resultOf(inner as Record<string, unknown>);
  }

  #renew(sn: string): Promise<boolean> {
    let pending = this.#renewals.get(sn);
    if (pending === undefined) {
      pending = this.#download(sn).then((taken) => {
        // A failed fetch may be tried again by a later answer; a taken one is the SN in force now.
        this.#renewals.delete(sn);
        return taken;
      });
      this.#renewals.set(sn, pending);
    }
    return pending;
  }

  async #download(sn: string): Promise<boolean> {
    const certs = this.#certs;
    if (certs === undefined) return false;
    let answer: Record<string, unknown>;
    try {
      // Signed with the new key, which only the certificate inside can give: the certificate's chain
      // to the configured root is what is trusted here, as in Alipay's own SDKs.
      answer = (await this.sdk.exec(
        'alipay.open.app.alipaycert.download',
        { bizContent: { alipay_cert_sn: sn }, timestamp: formatDateTime(Date.now()) },
        { validateSign: false },
      )) as Record<string, unknown>;
    } catch {
      return false;
    }
    if (typeof answer.alipay_cert_content !== 'string') return false;
    const pem = Buffer.from(answer.alipay_cert_content, 'base64').toString('utf8');
    const renewed = { ...certs, alipayPublicCert: pem };
    try {
      checkAlipayCertificates(renewed, certificateNames);
      if (alipayCertSn(pem) !== sn) return false;
    } catch {
      return false;
    }
    if (this.sdk.config.alipayCertSn === sn) return true;
    this.sdk.config.alipayPublicKey = new X509Certificate(pem).publicKey
      .export({ type: 'spki', format: 'pem' })
      .toString();
    this.sdk.config.alipayCertSn = sn;
    this.#certs = renewed;
    return true;
  }

  /**
   * The signed gateway URL a payer's browser opens for a page method (alipay.trade.wap.pay), with
   * `bizContent`, `notifyUrl` and `returnUrl`; Beijing timestamp as in exec.
   */
  pageUrl(method: string, params: Record<string, unknown>): string {
    return this.sdk.pageExec(method, 'GET', { ...params, timestamp: formatDateTime(Date.now()) });
  }

  /** True when a notification's fields (form-decoded) carry Alipay's valid RSA2 signature. */
  verifyNotification(fields: Record<string, string>): boolean {
    return this.sdk.checkNotifySignV2(fields);
  }

  /**
   * The SDK cannot verify the `error_response` envelope Alipay uses for a bad auth code or an unknown
   * method, and throws on it; such an answer is checked here the same way (signature over the exact
   * bytes of the inner object) and becomes a refusal only when it verifies.
   */
  #failure(error: unknown): GatewayResult {
    if (!(error instanceof AlipayRequestError) && !(error instanceof TypeError)) throw error;
    const raw = (error as AlipayRequestError).responseDataRaw;
    if (error instanceof AlipayRequestError) {
      if (error.message.startsWith('HttpClient Request error'))
        return {
          kind: 'unavailable',
          reason: /ECONNREFUSED/.test(String(error.cause ?? error.message)) ? 'unreachable' : 'transport',
        };
      if (error.message.startsWith('HTTP 请求错误')) return { kind: 'unavailable', reason: 'http_status' };
    }
    if (typeof raw !== 'string') return { kind: 'unavailable', reason: 'malformed' };
    let parsed: { error_response?: Record<string, unknown>; sign?: unknown };
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      return { kind: 'unavailable', reason: 'malformed' };
    }
    const inner = parsed.error_response;
    if (inner === undefined || typeof parsed.sign !== 'string')
      return { kind: 'unavailable', reason: 'bad_signature' };
    if (!this.sdk.rsaCheck(this.sdk.getSignStr(raw, 'error_response'), parsed.sign, 'RSA2'))
      return { kind: 'unavailable', reason: 'bad_signature' };
    return {
      kind: 'refused',
      code: String(inner.code ?? ''),
      subCode: String(inner.sub_code ?? ''),
      subMsg: String(inner.sub_msg ?? inner.msg ?? ''),
    };
  }
}

/** A verified answer's inner object as a result: oauth.token answers success without a code, the rest 10000. */
function resultOf(answer: Record<string, unknown>): GatewayResult {
  const code = typeof answer.code === 'string' ? answer.code : undefined;
  if (code === undefined || code === '10000') {
    const { traceId: _traceId, ...data } = answer;
    return { kind: 'ok', data };
  }
  return {
    kind: 'refused',
    code,
    subCode: String(answer.sub_code ?? ''),
    subMsg: String(answer.sub_msg ?? answer.msg ?? ''),
  };
}
