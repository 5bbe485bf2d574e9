import type { CoreClient } from '@campus-card/core/client';

/**
 * The demo's two campuses (docs/campuses.md): 主校区, linked to the place tree the device demo makes
 * (主校区 → 宿舍区 → 1号宿舍楼 → 大门), and 东校区 15 km away (as campus insight's synthetic data has it)
 * with a place tree root of its own. The second canteen is on the east campus, the other demo canteen
 * windows, shop, shower, laundry and library on the main one; the bus and the utility merchants stay
 * centre-wide. Safe to run on every start: what exists is kept.
 */
export async function seedCampuses(core: CoreClient): Promise<{ main: string; east: string }> {
  const places = (await core.passagePlaces()).items;
  const root = async (name: string) =>
    places.find((p) => p.kind === 'campus' && p.name === name)?.id ??
    (await core.createPassagePlace({ kind: 'campus', parentId: null, name })).id;
  const known = (await core.campuses()).items;
  const campus = async (id: string, code: string, name: string) => {
    const existing = known.find((c) => c.code === code);
    if (existing) return existing.id;
    return (await core.createCampus({ id, code, name, placeId: await root(name) })).id;
  };
  const main = await campus('MAIN', 'main', '主校区');
  const east = await campus('EAST', 'east', '东校区');
  const campusOf: Record<string, string> = {
    'CANTEEN-1-W01': main,
    'CANTEEN-1-W02': main,
    'SHOP-1': main,
    'SHOWER-N1': main,
    'LAUNDRY-N1': main,
    LIBRARY: main,
    'CANTEEN-2-W01': east,
  };
  // Only a merchant still centre-wide is placed, so a move made in the backoffice is kept.
  for (const m of await core.merchants()) {
    const campusId = campusOf[m.id];
    if (m.campusId === null && campusId !== undefined) await core.setMerchantCampus(m.id, campusId);
  }
  return { main, east };
}
