// Page parameters arrive still percent-encoded from Taro's router (H5 and mini-programs alike), and the
// links we build encode them: decode once here, and leave a value that is not valid encoding as it is.

export function routeParam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
