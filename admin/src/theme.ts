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
