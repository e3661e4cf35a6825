/** A civil servant's single sign-on launcher: the enabled applications of their agency (myApplications). */
import { Button, Card, Col, Empty, Row, Space, Typography } from 'antd';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { useQuery } from '../../shell/graphql.ts';
import { useT } from '../../shell/i18n.tsx';
import { texts } from './texts.ts';
import { MUTED_COLOUR } from '../../shell/ui/Muted.tsx';
import { MY_APPLICATIONS } from './queries.ts';

interface Application {
  id: string;
  name: string;
  description: string | null;
  loginUrl: string;
  agencyCode: string;
}

export function Launcher() {
  const t = useT();
  const { data, error, loading } = useQuery<{ myApplications: Application[] | null }>(MY_APPLICATIONS);
  const applications = data?.myApplications ?? [];
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.launcher.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.launcher.intro)}</Typography.Paragraph>
      </div>
      <ErrorAlert error={error} />
      {!loading && error === undefined && applications.length === 0 && <Empty description={t(texts.launcher.empty)} />}
      <Row gutter={[16, 16]} role="list" aria-label={t(texts.launcher.list)}>
        {applications.map((app) => (
          <Col key={app.id} xs={24} md={12} xl={8} role="listitem">
            <Card
              loading={loading}
              title={
                <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
                  {app.name}
                </Typography.Title>
              }
            >
              <Typography.Paragraph style={{ color: MUTED_COLOUR }}>{app.description ?? ''}</Typography.Paragraph>
              <Button type="primary" href={app.loginUrl} target="_blank" rel="noopener noreferrer" aria-label={`${t(texts.launcher.open)}: ${app.name}`}>
                {t(texts.launcher.open)}
              </Button>
            </Card>
          </Col>
        ))}
      </Row>
    </Space>
  );
}
