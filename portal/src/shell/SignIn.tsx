/** The page before signing in: civil servants through the realm's login, citizens and businesses through VDXP. */
import { Button, Card, Space, Typography } from 'antd';
import { signIn } from './auth.ts';
import { useLang, useT } from './i18n.tsx';
import { shellTexts } from './texts.ts';

export function SignIn({ notice }: { notice?: string }) {
  const t = useT();
  const { lang, setLang } = useLang();
  return (
    <main style={{ display: 'flex', justifyContent: 'center', paddingTop: 80 }}>
      <Card style={{ width: 520 }}>
        <Typography.Title level={1} style={{ fontSize: 26 }}>
          {t(shellTexts.portalName)}
        </Typography.Title>
        <Typography.Paragraph>{t(shellTexts.tagline)}</Typography.Paragraph>
        {notice !== undefined ? (
          <Typography.Paragraph type="warning" role="status">
            {notice}
          </Typography.Paragraph>
        ) : null}
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Button type="primary" block size="large" onClick={() => void signIn()}>
            {t(shellTexts.signInCivilServant)}
          </Button>
          <Button block size="large" onClick={() => void signIn({ citizen: true })}>
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
