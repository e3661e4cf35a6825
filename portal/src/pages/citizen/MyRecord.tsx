/**
 * A citizen's own record (myCitizenRecord) and, for a business representative, their enterprise (myEnterprise),
 * through the gateway's self-access policy. Nobody else's record is offered; a crafted link naming another personal
 * ID (`?personalId=`) is passed to the gateway as `citizen(personalId)`, which refuses it and audits the attempt, and
 * the page says so in Vietnamese.
 */
import { Alert, Card, Descriptions, Space, Spin, Typography } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { PortalError } from '../../shell/errors.ts';
import { useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { useSession } from '../../shell/session.tsx';
import { formatDate } from '../../shell/ui/format.ts';
import { texts } from './texts.ts';
import { MY_RECORD } from './queries.ts';

const MY_ENTERPRISE = /* GraphQL */ `
  query MyEnterprise {
    myEnterprise {
      code
      name
      statusLabel
      legalFormLabel
      foundingDate
      registeredCapital
      headOffice {
        fullText
      }
      legalRepresentative {
        fullName
        position
      }
      businessLines {
        name
        isMain
      }
    }
  }
`;

const SOMEONE_ELSE = /* GraphQL */ `
  query CitizenOtherRecord($personalId: String!) {
    citizen(personalId: $personalId) {
      personalId
      fullName
    }
  }
`;

interface CitizenRecord {
  personalId: string;
  fullName: string;
  dateOfBirth: string | null;
  gender: 'MALE' | 'FEMALE';
  ethnicity: { name: string } | null;
  religion: { name: string } | null;
  nationality: { name: string } | null;
  permanentAddress: { fullText: string | null } | null;
  currentAddress: { fullText: string | null } | null;
  household: { number: string } | null;
}
interface Enterprise {
  code: string;
  name: string;
  statusLabel: string;
  legalFormLabel: string;
  foundingDate: string | null;
  registeredCapital: number | null;
  headOffice: { fullText: string | null };
  legalRepresentative: { fullName: string; position: string | null } | null;
  businessLines: Array<{ name: string; isMain: boolean }>;
}

/** A refusal the gateway gives a citizen naming someone else. */
const REFUSED = new Set(['FORBIDDEN', 'UNAUTHORIZED_FIELD_OR_TYPE']);

function CraftedAttempt({ personalId }: { personalId: string }) {
  const t = useT();
  const { error, loading } = useQuery(SOMEONE_ELSE, { personalId });
  if (loading) return <Spin />;
  if (error instanceof PortalError && REFUSED.has(error.code))
    return <Alert type="error" showIcon role="alert" title={t(texts.record.othersRefused)} description={`${error.code}: ${error.message}`} />;
  return <ErrorAlert error={error ?? new PortalError('FORBIDDEN', 'not offered')} />;
}

function EnterpriseCard() {
  const t = useT();
  const { lang } = useLang();
  const { data, error, loading } = useQuery<{ myEnterprise: Enterprise | null }>(MY_ENTERPRISE);
  const e = data?.myEnterprise;
  return (
    <Card
      loading={loading}
      title={
        <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
          {t(texts.record.enterprise)}
        </Typography.Title>
      }
    >
      <ErrorAlert error={error} />
      {e !== undefined && e !== null && (
        <Descriptions column={1} bordered size="small" data-testid="my-enterprise">
          <Descriptions.Item label={t(texts.record.enterpriseCode)}>{e.code}</Descriptions.Item>
          <Descriptions.Item label={t(texts.record.enterpriseName)}>{e.name}</Descriptions.Item>
          <Descriptions.Item label={t(texts.record.enterpriseStatus)}>{e.statusLabel}</Descriptions.Item>
          <Descriptions.Item label={t(texts.record.legalForm)}>{e.legalFormLabel}</Descriptions.Item>
          <Descriptions.Item label={t(texts.record.foundingDate)}>{formatDate(e.foundingDate, lang)}</Descriptions.Item>
          <Descriptions.Item label={t(texts.record.capital)}>
            {e.registeredCapital === null ? '—' : `${e.registeredCapital.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')} đ`}
          </Descriptions.Item>
          <Descriptions.Item label={t(texts.record.headOffice)}>{e.headOffice.fullText ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t(texts.record.representative)}>
            {e.legalRepresentative === null
              ? '—'
              : `${e.legalRepresentative.fullName}${e.legalRepresentative.position ? ` (${e.legalRepresentative.position})` : ''}`}
          </Descriptions.Item>
          <Descriptions.Item label={t(texts.record.mainLine)}>{e.businessLines.find((b) => b.isMain)?.name ?? '—'}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}

export function MyRecord() {
  const t = useT();
  const { lang } = useLang();
  const session = useSession();
  const [params] = useSearchParams();
  const asked = params.get('personalId');
  const crafted = asked !== null && asked !== session.user.personalId;
  const { data, error, loading } = useQuery<{ myCitizenRecord: CitizenRecord | null }>(MY_RECORD, {}, { skip: session.user.personalId === undefined });
  const c = data?.myCitizenRecord;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1}>{t(texts.record.title)}</Typography.Title>
        <Typography.Paragraph>{t(texts.record.intro)}</Typography.Paragraph>
      </div>
      {crafted && <CraftedAttempt personalId={asked} />}
      {session.user.personalId === undefined && <Alert type="info" showIcon title={t(texts.record.notCitizen)} />}
      <Card
        loading={loading}
        title={
          <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
            {t(texts.record.citizen)}
          </Typography.Title>
        }
      >
        <ErrorAlert error={error} />
        {c !== undefined && c !== null && (
          <Descriptions column={1} bordered size="small" data-testid="my-record">
            <Descriptions.Item label={t(texts.record.personalId)}>{c.personalId}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.fullName)}>{c.fullName}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.dateOfBirth)}>{formatDate(c.dateOfBirth, lang)}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.gender)}>{t(texts.record[c.gender])}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.ethnicity)}>{c.ethnicity?.name ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.religion)}>{c.religion?.name ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.nationality)}>{c.nationality?.name ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.permanentAddress)}>{c.permanentAddress?.fullText ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.currentAddress)}>{c.currentAddress?.fullText ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t(texts.record.household)}>{c.household?.number ?? '—'}</Descriptions.Item>
            {session.user.assuranceLevel !== undefined && (
              <Descriptions.Item label={t(texts.record.assurance)}>{t(texts.record.level, { n: session.user.assuranceLevel })}</Descriptions.Item>
            )}
          </Descriptions>
        )}
      </Card>
      {session.user.enterpriseCode !== undefined && <EnterpriseCard />}
    </Space>
  );
}
