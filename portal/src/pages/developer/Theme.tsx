/**
 * The developer screens in antd's theme with contrast raised to WCAG AA (4.5:1) where antd's defaults fall short on
 * the shell's grey background: error red, description and tertiary grey, primary blue. (Worth moving to the shell's
 * ConfigProvider for every page: NOTES-dev.md.)
 */
import { ConfigProvider } from 'antd';
import type { ReactNode } from 'react';

const theme = {
  token: {
    colorError: '#c41d1f',
    colorErrorText: '#c41d1f',
    colorTextDescription: '#595959',
    colorTextTertiary: '#595959',
    colorSuccess: '#237804',
    colorSuccessText: '#237804',
    colorSuccessBg: '#f6ffed',
    colorSuccessBorder: '#b7eb8f',
    colorErrorBg: '#fff2f0',
    colorErrorBorder: '#ffccc7',
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorPrimaryHover: '#003eb3',
    colorPrimaryActive: '#002c8c',
    colorLinkHover: '#003eb3',
  },
};

export function DeveloperTheme({ children }: { children: ReactNode }) {
  return <ConfigProvider theme={theme}>{children}</ConfigProvider>;
}
