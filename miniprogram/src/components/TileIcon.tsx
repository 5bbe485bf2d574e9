import { View } from '@tarojs/components';

/**
 * The home grid's icons: simple line drawings (24 × 24, stroke 2) as inline SVG data, so no asset is
 * fetched; a background image of a View, so it is decoration on every target (no image to describe).
 */
const paths: Record<string, string> = {
  topUp: '<circle cx="12" cy="12" r="9"/><path d="M12 7v10M7 12h10"/>',
  bills: '<path d="M6 3h12v18l-3-2-3 2-3-2-3 2z"/><path d="M9 8h6M9 12h6"/>',
  statement: '<path d="M4 20h16"/><path d="M7 16v-5M12 16V6M17 16v-8"/>',
  cardActions: '<rect x="3" y="6" width="18" height="12" rx="2"/><path d="M3 10h18M7 15h4"/>',
  showers: '<path d="M12 3c-3 4-5 7-5 10a5 5 0 0 0 10 0c0-3-2-6-5-10z"/>',
  parents:
    '<circle cx="9" cy="8" r="3"/><circle cx="17" cy="10" r="2"/><path d="M3 20c0-3 3-5 6-5s6 2 6 5M15 20c0-2 1-4 3-4s3 2 3 4"/>',
  notifications: '<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20h4"/>',
  news: '<rect x="4" y="4" width="16" height="16" rx="2"/><path d="M8 9h8M8 13h8M8 17h5"/>',
  courses: '<rect x="3" y="5" width="18" height="12" rx="2"/><path d="M10 9l5 2-5 2z"/><path d="M8 21h8"/>',
  records: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 3"/>',
  visitors: '<circle cx="10" cy="8" r="3"/><path d="M4 20c0-3 3-5 6-5s6 2 6 5"/><path d="M19 8v6M16 11h6"/>',
  bus: '<rect x="4" y="4" width="16" height="13" rx="2"/><path d="M4 11h16M8 20v-3M16 20v-3"/><circle cx="8" cy="14" r="1"/><circle cx="16" cy="14" r="1"/>',
  passage:
    '<path d="M5 21V4a1 1 0 0 1 1-1h12a1 1 0 0 1 1 1v17"/><path d="M3 21h18"/><circle cx="15" cy="12" r="1"/>',
  fees: '<rect x="4" y="3" width="16" height="18" rx="2"/><path d="M8 8h8M8 12h8M8 16h4"/>',
  electricity: '<path d="M13 2L5 14h6l-1 8 8-12h-6z"/>',
  bank: '<rect x="2" y="5" width="20" height="14" rx="2"/><path d="M2 10h20M6 15h4"/>',
  network:
    '<path d="M2 9a15 15 0 0 1 20 0M5 13a10 10 0 0 1 14 0M8.5 16.5a5 5 0 0 1 7 0"/><circle cx="12" cy="20" r="1"/>',
  settings:
    '<circle cx="12" cy="12" r="3"/><path d="M12 3v3M12 18v3M3 12h3M18 12h3M5.6 5.6l2.1 2.1M16.3 16.3l2.1 2.1M5.6 18.4l2.1-2.1M16.3 7.7l2.1-2.1"/>',
};

function svgOf(name: string, color: string): string {
  const body = paths[name] ?? paths.news;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="${color}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
}

export function TileIcon({ name, color = '#0b6e4f' }: { readonly name: string; readonly color?: string }) {
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgOf(name, color))}`;
  // Decorative: the tile's text names it.
  return <View className="tile-icon" style={{ backgroundImage: `url("${src}")` }} />;
}
