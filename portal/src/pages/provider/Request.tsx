/**
 * One access request for review (`accessRequest`), and the provider's decision (`actOnAccessRequest` as PROVIDER):
 * approve, reject or ask for changes with a reason, choosing the field sets it approves; confirm an integration the
 * consumer reported. Approving only some field sets sends them (`fieldSets`): the grants name only those; asking
 * for changes instead prefills a reason naming the kept and dropped sets. A request between other agencies is refused by the API (FORBIDDEN), shown
 * in Vietnamese.
 */
import { Alert, Button, Card, Checkbox, Descriptions, Form, Input, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { Roles, useSession } from '../../shell/session.tsx';
import { dateOnly, dateTime } from '../agency/format.ts';
import { Page } from '../agency/Page.tsx';
import { requestStates } from '../agency/texts.ts';
import { Deadline, StateTag } from './Requests.tsx';
import { agencyLabel, awaitsProvider, REQUEST_FIELDS, type AccessRequest } from './requests.ts';
import { texts } from './texts.ts';

export const REQUEST_QUERY = /* GraphQL */ `
  query ProviderRequest($id: ID!) {
    accessRequest(id: $id) {
      ${REQUEST_FIELDS}
    }
  }
`;

const OFFERED_QUERY = /* GraphQL */ `
  query OfferedFieldSets($code: ID!) {
    registryService(code: $code) {
      name
      versions {
        version
        fieldSets {
          name
          description
          personalData
        }
      }
    }
  }
`;

const ACT_MUTATION = /* GraphQL */ `
  mutation ProviderActOnRequest($id: ID!, $action: AccessAction!, $reason: String, $fieldSets: [String!]) {
    actOnAccessRequest(id: $id, action: $action, reason: $reason, as: PROVIDER, fieldSets: $fieldSets) {
      ${REQUEST_FIELDS}
    }
  }
`;

type Action = 'APPROVE' | 'REJECT' | 'REQUEST_CHANGES' | 'CONFIRM_INTEGRATION';

function Decision({ request, onDone }: { request: AccessRequest; onDone(r: AccessRequest): void }) {
  const t = useT();
  const offered = useQuery<{
    registryService: { versions: Array<{ version: number; fieldSets: Array<{ name: string; description: string; personalData: boolean }> }> } | null;
  }>(OFFERED_QUERY, { code: request.serviceCode });
  const described = new Map(
    (offered.data?.registryService?.versions.find((v) => v.version === request.serviceVersion)?.fieldSets ?? []).map((f) => [f.name, f]),
  );
  const [chosen, setChosen] = useState<string[]>(request.fieldSets);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState(false);
  const [busy, setBusy] = useState<Action | undefined>();
  const [error, setError] = useState<unknown>();
  const partial = chosen.length < request.fieldSets.length;
  const dropped = request.fieldSets.filter((f) => !chosen.includes(f));

  const act = async (action: Action) => {
    let why = reason.trim();
    if (action === 'REQUEST_CHANGES' && partial && why === '') why = t(texts.partialReason, { kept: chosen.join(', ') || '—', dropped: dropped.join(', ') });
    if ((action === 'REJECT' || action === 'REQUEST_CHANGES') && why === '') {
      setReasonError(true);
      return;
    }
    setReasonError(false);
    setBusy(action);
    setError(undefined);
    try {
      const data = await graphql<{ actOnAccessRequest: AccessRequest }>(ACT_MUTATION, {
        id: request.id,
        action,
        reason: why === '' ? null : why,
        // Approving: exactly the ticked field sets (the grants name these).
        fieldSets: action === 'APPROVE' ? request.fieldSets.filter((f) => chosen.includes(f)) : null,
      });
      onDone(data.actOnAccessRequest);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  if (request.state === 'INTEGRATION_REPORTED')
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <ErrorAlert error={error} />
        <Button type="primary" loading={busy === 'CONFIRM_INTEGRATION'} onClick={() => void act('CONFIRM_INTEGRATION')}>
          {t(texts.confirmIntegration)}
        </Button>
      </Space>
    );
  return (
    <Form layout="vertical" onSubmitCapture={(e) => e.preventDefault()}>
      <Form.Item label={t(texts.approveFieldSets)}>
        <Checkbox.Group value={chosen} onChange={(v) => setChosen(v as string[])} style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
          {request.fieldSets.map((name) => (
            <Checkbox key={name} value={name}>
              <Typography.Text code>{name}</Typography.Text>
              {described.get(name) !== undefined ? ` — ${described.get(name)!.description}` : ''}
              {described.get(name)?.personalData === true ? ` (${t(texts.personalData)})` : ''}
            </Checkbox>
          ))}
        </Checkbox.Group>
      </Form.Item>
      {chosen.length === 0 ? (
        <Alert type="warning" showIcon title={t(texts.noneChosen)} style={{ marginBottom: 16 }} />
      ) : partial ? (
        <Alert type="warning" showIcon title={t(texts.partialNote)} style={{ marginBottom: 16 }} />
      ) : null}
      <Form.Item
        label={t(texts.reasonLabel)}
        htmlFor="decision-reason"
        validateStatus={reasonError ? 'error' : undefined}
        help={reasonError ? t(texts.reasonRequired) : undefined}
      >
        <Input.TextArea id="decision-reason" rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Form.Item>
      <ErrorAlert error={error} />
      <Space wrap style={{ marginTop: 16 }}>
        <Button type="primary" disabled={chosen.length === 0 || busy !== undefined} loading={busy === 'APPROVE'} onClick={() => void act('APPROVE')}>
          {t(texts.approve)}
        </Button>
        <Button loading={busy === 'REQUEST_CHANGES'} disabled={busy !== undefined} onClick={() => void act('REQUEST_CHANGES')}>
          {t(texts.requestChanges)}
        </Button>
        <Button danger loading={busy === 'REJECT'} disabled={busy !== undefined} onClick={() => void act('REJECT')}>
          {t(texts.reject)}
        </Button>
      </Space>
    </Form>
  );
}

export function Request() {
  const t = useT();
  const { lang } = useLang();
  const session = useSession();
  const { id = '' } = useParams();
  const { data, error, loading } = useQuery<{ accessRequest: AccessRequest | null }>(REQUEST_QUERY, { id });
  const [updated, setUpdated] = useState<AccessRequest | undefined>();
  const request = updated ?? data?.accessRequest ?? undefined;
  const ours = request !== undefined && (request.providerAgency === session.user.agencyCode || session.hasRole(Roles.operator));
  const h2 = (text: string) => (
    <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
      {text}
    </Typography.Title>
  );
  return (
    <Page title={texts.request} extra={<Link to="/provider/requests">{t(texts.back)}</Link>}>
      <ErrorAlert error={error} />
      {!loading && error === undefined && data?.accessRequest === null ? (
        <Alert type="warning" showIcon title={t({ vi: 'Không tìm thấy yêu cầu.', en: 'No such request.' })} />
      ) : null}
      {request !== undefined ? (
        <>
          {updated !== undefined ? (
            <Alert
              type="success"
              showIcon
              role="status"
              title={t(texts.done, { state: t(requestStates[updated.state] ?? { vi: updated.state, en: updated.state }) })}
            />
          ) : null}
          <Card title={h2(`${request.consumerAgencyName ?? request.consumerAgency} → ${request.serviceCode} v${request.serviceVersion}`)}>
            <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
              <Descriptions.Item label={t(texts.state)}>
                <StateTag state={request.state} />
              </Descriptions.Item>
              <Descriptions.Item label={t(texts.dueAt)}>
                <Deadline request={request} />
              </Descriptions.Item>
              <Descriptions.Item label={t(texts.consumer)}>{agencyLabel(request.consumerAgency, request.consumerAgencyName)}</Descriptions.Item>
              <Descriptions.Item label={t(texts.provider)}>{agencyLabel(request.providerAgency, request.providerAgencyName)}</Descriptions.Item>
              <Descriptions.Item label={t(texts.consumerSystem)}>{request.consumerSystem}</Descriptions.Item>
              <Descriptions.Item label={t(texts.fieldSets)}>{request.fieldSets.join(', ')}</Descriptions.Item>
              <Descriptions.Item label={t(texts.approvedFieldSets)}>
                {request.approvedFieldSets === null ? t(texts.notYetApproved) : request.approvedFieldSets.join(', ')}
              </Descriptions.Item>
              <Descriptions.Item label={t(texts.purposes)}>{request.purposes.join(', ')}</Descriptions.Item>
              <Descriptions.Item label={t(texts.legalBasis)}>{request.legalBasis}</Descriptions.Item>
              <Descriptions.Item label={t(texts.expected)}>{request.expectedRequestsPerDay}</Descriptions.Item>
              <Descriptions.Item label={t(texts.quota)}>
                {request.quota === null ? '—' : t(texts.quotaValue, { n: request.quota.requests, s: request.quota.perSeconds })}
              </Descriptions.Item>
              <Descriptions.Item label={t(texts.validTo)}>{dateOnly(request.validTo, lang)}</Descriptions.Item>
              <Descriptions.Item label={t(texts.receivedAt)}>{dateTime(request.receivedAt, lang)}</Descriptions.Item>
              <Descriptions.Item label={t(texts.commitment)}>
                {t(texts.signedBy, { who: request.securityCommitment.signedBy, at: dateOnly(request.securityCommitment.signedAt, lang) })}
              </Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={h2(t(texts.decision))}>
            {ours && awaitsProvider(request) ? (
              <Decision request={request} onDone={setUpdated} />
            ) : (
              <Typography.Paragraph>{t(texts.notYours)}</Typography.Paragraph>
            )}
          </Card>
          <Card title={h2(t(texts.history))}>
            <Table
              aria-label={t(texts.history)}
              size="small"
              rowKey={(h) => `${h.at}-${h.action}`}
              pagination={false}
              dataSource={request.history}
              columns={[
                { title: t(texts.at), dataIndex: 'at', render: (v: string) => dateTime(v, lang) },
                { title: t(texts.action), dataIndex: 'action' },
                { title: t(texts.by), key: 'by', render: (_: unknown, h: AccessRequest['history'][number]) => `${h.by} (${h.party})` },
                { title: t(texts.state), key: 'to', render: (_: unknown, h: AccessRequest['history'][number]) => <StateTag state={h.to} /> },
                { title: t(texts.reason), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
                { title: t(texts.approvedFieldSets), dataIndex: 'fieldSets', render: (v: string[] | null) => v?.join(', ') ?? '—' },
              ]}
            />
          </Card>
        </>
      ) : null}
    </Page>
  );
}
