/** The frame of an agency or provider screen: its one `h1`, an optional line under it, then the content. */
import { ConfigProvider, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useT, type Text } from '../../shell/i18n.tsx';
import { useSession } from '../../shell/session.tsx';
import { texts } from './texts.ts';

/**
 * Text colours with a 4.5:1 contrast on white and on the layout's grey (WCAG AA; antd's secondary and tertiary
 * greys and its blue links fall short), for everything the pages render, their drawers and dialogs included.
 */
const ACCESSIBLE_THEME = {
  token: {
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.68)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
    colorTextQuaternary: 'rgba(0, 0, 0, 0.6)',
    colorError: '#b3261e',
    colorLink: '#8b1a1a',
    colorLinkHover: '#a52a2a',
  },
};

export { ToneTag, type Tone } from '../../shell/ui/ToneTag.tsx';

export function Page({ title, intro, extra, children }: { title: Text; intro?: Text; extra?: ReactNode; children: ReactNode }) {
  const t = useT();
  return (
    <ConfigProvider theme={ACCESSIBLE_THEME}>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 26 }}>
            {t(title)}
          </Typography.Title>
          {extra}
        </Space>
        {intro !== undefined ? <Typography.Paragraph style={{ margin: 0 }}>{t(intro)}</Typography.Paragraph> : null}
        {children}
      </Space>
    </ConfigProvider>
  );
}

/** The signed-in person's agency code, or a notice that they have none. */
export function useAgencyCode(): string | undefined {
  return useSession().user.agencyCode;
}

export function NoAgency() {
  const t = useT();
  return <Typography.Paragraph>{t(texts.noAgency)}</Typography.Paragraph>;
}
