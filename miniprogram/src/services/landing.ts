import { listChildren } from './parents.ts';
import type { ApiClient } from './request.ts';

/**
 * Where a signed-in account without a bound card belongs: a parent with linked children goes to the
 * parents page, anyone else to binding (where a parent can also choose to link a child).
 */
export async function unboundLanding(api: ApiClient): Promise<string> {
  try {
    const { children } = await listChildren(api);
    if (children.length > 0) return '/pages/parents/index';
  } catch {
    // Binding is the safe default when the list cannot be read.
  }
  return '/pages/bind/index';
}
