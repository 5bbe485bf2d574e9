/**
 * How the ledger's records name a device: the gateway sends `<id>` under the device's first key and
 * `<id>-<keyVersion>` after a re-key (device ids are the protocol's u32, in decimal). Anything else
 * (a test's or a service's own name) names no registered device and is not checked.
 */
export function parseDeviceRef(ref: string): { deviceId: string; keyVersion: number } | undefined {
  const match = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(ref);
  if (!match?.[1]) return undefined;
  return { deviceId: match[1], keyVersion: match[2] === undefined ? 1 : Number(match[2]) };
}

/** How long a consumed code's identity is kept: past the 30 days device answers are kept (protocol § 11.2). */
export const codeUseRetentionMs = 31 * 24 * 3_600_000;
