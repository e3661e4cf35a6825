/** The frame of an agency or provider screen: its one `h1`, an optional line under it, then the content. */
import { Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useT, type Text } from '../../shell/i18n.tsx';
import { useSession } from '../../shell/session.tsx';
import { texts } from './texts.ts';

export function Page({ title, intro, extra, children }: { title: Text; intro?: Text; extra?: ReactNode; children: ReactNode }) {
  const t = useT();
  return (
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
