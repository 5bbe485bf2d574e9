import type { ThemeConfig } from 'antd';

/**
 * The backoffice's Ant Design theme. Beyond the brand colour, every text colour the default theme
 * draws below WCAG's 4.5:1 on white or on its own tint (secondary and placeholder text at 45 % and
 * 25 % black, links in #1677ff, danger red #ff4d4f, the selected menu item) is set darker, so axe-core
 * finds no serious contrast problem on any page (admin/test/roles.test.ts walks them all). The preset
 * tag colours are in contrast.css.
 */
export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#0b6e4f',
    colorLink: '#0b6e4f',
    colorError: '#cf1322',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextQuaternary: 'rgba(0, 0, 0, 0.6)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
  },
  components: {
    Menu: { itemSelectedBg: '#e3f0ea', itemSelectedColor: '#0b6e4f', itemActiveBg: '#e3f0ea' },
  },
};

/**
 * The theme as this browser asks for it: with its operating system set to reduce motion, dialogs,
 * menus and messages appear and go without their zoom and slide (Ant Design's `motion` token), as
 * WCAG 2.3.3 asks. The browser tests run with reduced motion too, so no click lands on a dialog that
 * is still zooming in.
 */
export function themeFor(reduceMotion: boolean): ThemeConfig {
  return reduceMotion ? { ...theme, token: { ...theme.token, motion: false } } : theme;
}
