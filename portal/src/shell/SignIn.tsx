/**
 * The page before signing in: civil servants, agency administrators, developers and operators through the realm's
 * login; citizens and businesses through VDXP, the national e-ID (VNeID), brokered by the realm. After an expired or
 * refused session it says so, and signing in again comes back to the page the person was on.
 */
import { Alert, Button, Card, Space, Typography } from 'antd';
import { useEffect } from 'react';
import { signIn } from './auth.ts';
import { useLang, useT } from './i18n.tsx';
import { shellTexts } from './texts.ts';

export function SignIn({ notice }: { notice?: string }) {
  const t = useT();
  const { lang, setLang } = useLang();
  useEffect(() => {
    document.title = `${t(shellTexts.signIn)} · ${t(shellTexts.portalName)}`;
  });
  return (
    <main style={{ display: 'flex', justifyContent: 'center', padding: '80px 12px 24px', minHeight: '100vh', background: '#f5f5f5' }}>
      <Card style={{ width: '100%', maxWidth: 520, alignSelf: 'flex-start' }}>
        <Typography.Title level={1} style={{ fontSize: 26, marginTop: 0 }}>
          {t(shellTexts.portalName)}
        </Typography.Title>
        <Typography.Paragraph>{t(shellTexts.tagline)}</Typography.Paragraph>
        {notice !== undefined ? <Alert type="warning" showIcon role="alert" title={notice} style={{ marginBottom: 16 }} data-testid="sign-in-notice" /> : null}
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Button type="primary" block size="large" onClick={() => void signIn()}>
            {t(shellTexts.signInCivilServant)}
          </Button>
          <Button block size="large" className="lgsp-wrapping-button" onClick={() => void signIn({ citizen: true })}>
            {t(shellTexts.signInCitizen)}
          </Button>
          <Button type="link" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} lang={lang === 'vi' ? 'en' : 'vi'}>
            {t(shellTexts.language)}
          </Button>
        </Space>
      </Card>
    </main>
  );
}
