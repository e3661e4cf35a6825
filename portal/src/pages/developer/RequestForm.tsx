/**
 * App02 form 02 (đề nghị khai thác dữ liệu) with the form 03 security commitment, as a web form mirroring
 * `AccessRequestInput`; with `:id`, the amendment of a request whose changes were asked for
 * (`AccessRequestAmendmentInput`), then RESUBMIT.
 */
import { Alert, Button, Checkbox, Col, Form, Input, InputNumber, Row, Select, Space, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../../shell/ErrorAlert.tsx';
import { PortalError } from '../../shell/errors.ts';
import { graphql, useQuery } from '../../shell/graphql.ts';
import { useLang, useT } from '../../shell/i18n.tsx';
import { useSession } from '../../shell/session.tsx';
import { formatDate } from './format.ts';
import {
  ACT_MUTATION,
  AMEND_MUTATION,
  FORM_QUERY,
  REQUEST_QUERY,
  SUBMIT_MUTATION,
  type AccessRequest,
  type Agency,
  type Service,
  type System,
} from './queries.ts';
import { Muted } from '../../shell/ui/Muted.tsx';
import { texts } from './texts.ts';
import { checkFieldSets, checkPositive, checkPurposes, checkQuota, checkText, checkValidTo, LIMITS, rule, type Problem } from './validation.ts';

interface FormValues {
  consumerSystem?: string;
  serviceCode?: string;
  serviceVersion?: number;
  fieldSets?: string[];
  purposes?: string[];
  legalBasis?: string;
  expectedRequestsPerDay?: number | null;
  quotaRequests?: number | null;
  quotaPerSeconds?: number | null;
  validTo?: string;
  signedBy?: string;
  commitmentText?: string;
}

/** The field an API error names (`legalBasis: must not be empty`, `quota.requests: …`), if the form has it. */
function apiField(error: unknown): keyof FormValues | undefined {
  if (!(error instanceof PortalError)) return undefined;
  const argument = /^([A-Za-z.]+):/.exec(error.message)?.[1] ?? (error.code === 'UNKNOWN_FIELD_SET' ? 'fieldSets' : undefined);
  const map: Record<string, keyof FormValues> = {
    consumerSystem: 'consumerSystem',
    serviceCode: 'serviceCode',
    fieldSets: 'fieldSets',
    purposes: 'purposes',
    legalBasis: 'legalBasis',
    expectedRequestsPerDay: 'expectedRequestsPerDay',
    'quota.requests': 'quotaRequests',
    'quota.perSeconds': 'quotaPerSeconds',
    validTo: 'validTo',
    'securityCommitment.signedBy': 'signedBy',
    'securityCommitment.text': 'commitmentText',
  };
  return argument === undefined ? undefined : map[argument];
}

export function RequestForm() {
  const t = useT();
  const { lang } = useLang();
  const session = useSession();
  const navigate = useNavigate();
  const { id } = useParams();
  const amending = id !== undefined;
  const [search] = useSearchParams();
  const agency = session.user.agencyCode ?? '';
  const form = useQuery<{ registryAgency: Agency | null; informationSystems: System[] | null; registryServices: Service[] | null }>(FORM_QUERY, { agency });
  const existing = useQuery<{ accessRequest: AccessRequest | null }>(REQUEST_QUERY, { id: id ?? '' }, { skip: !amending });
  const request = existing.data?.accessRequest ?? undefined;
  const [antForm] = Form.useForm<FormValues>();
  const [apiError, setApiError] = useState<unknown>();
  const [invalid, setInvalid] = useState(false);
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState<string | undefined>();

  const services = useMemo(() => (form.data?.registryServices ?? []).filter((s) => s.status === 'ACTIVE' && s.providerAgency !== agency), [form.data, agency]);
  const serviceCode = Form.useWatch('serviceCode', antForm) ?? request?.serviceCode;
  const versionNumber = Form.useWatch('serviceVersion', antForm) ?? request?.serviceVersion;
  const service = (form.data?.registryServices ?? []).find((s) => s.code === serviceCode);
  const published = (service?.versions ?? []).filter((v) => v.status === 'PUBLISHED' || v.version === request?.serviceVersion);
  const version = service?.versions.find((v) => v.version === versionNumber);
  const offered = version?.fieldSets.map((f) => f.name) ?? [];

  useEffect(() => {
    if (request !== undefined)
      antForm.setFieldsValue({
        consumerSystem: request.consumerSystem,
        serviceCode: request.serviceCode,
        serviceVersion: request.serviceVersion,
        fieldSets: request.fieldSets,
        purposes: request.purposes,
        legalBasis: request.legalBasis,
        expectedRequestsPerDay: request.expectedRequestsPerDay,
        quotaRequests: request.quota?.requests ?? null,
        quotaPerSeconds: request.quota?.perSeconds ?? null,
        signedBy: request.securityCommitment?.signedBy,
        commitmentText: request.securityCommitment?.text,
      });
  }, [request, antForm]);
  useEffect(() => {
    const wanted = search.get('service');
    if (!amending && wanted !== null && services.some((s) => s.code === wanted)) {
      const chosen = services.find((s) => s.code === wanted)!;
      antForm.setFieldsValue({ serviceCode: wanted, serviceVersion: chosen.currentVersion });
    }
  }, [search, services, amending, antForm]);

  /** Every check the registry makes that the page can make, on the values about to be sent. */
  function problemsOf(values: FormValues): Problem[] {
    const systems = (form.data?.informationSystems ?? []).map((s) => s.id);
    const list: Array<Problem | undefined> = [
      checkFieldSets(values.fieldSets, offered, service?.kind),
      checkPurposes(values.purposes),
      checkText(values.legalBasis, 'legalBasis', LIMITS.legalBasis),
      checkPositive(values.expectedRequestsPerDay, 'expectedRequestsPerDay', LIMITS.expectedRequestsPerDay),
      checkQuota(values.quotaRequests, values.quotaPerSeconds),
      checkValidTo(values.validTo).problem,
    ];
    if (!amending) {
      list.push(
        systems.includes(values.consumerSystem ?? '') ? undefined : { field: 'consumerSystem', text: texts.vSystem },
        services.some((s) => s.code === values.serviceCode) ? undefined : { field: 'serviceCode', text: texts.vService },
        checkText(values.signedBy, 'signedBy', LIMITS.signedBy),
        checkText(values.commitmentText, 'commitmentText', LIMITS.commitmentText),
      );
    }
    return list.filter((p): p is Problem => p !== undefined);
  }

  function terms(values: FormValues) {
    const quota =
      values.quotaRequests == null || values.quotaPerSeconds == null
        ? null
        : { requests: Number(values.quotaRequests), perSeconds: Number(values.quotaPerSeconds) };
    return {
      fieldSets: values.fieldSets ?? [],
      purposes: values.purposes ?? [],
      legalBasis: (values.legalBasis ?? '').trim(),
      expectedRequestsPerDay: Number(values.expectedRequestsPerDay),
      quota,
      validTo: checkValidTo(values.validTo).iso,
    };
  }

  async function send(resubmit: boolean) {
    setApiError(undefined);
    setDone(undefined);
    let values: FormValues;
    try {
      values = await antForm.validateFields();
    } catch {
      setInvalid(true);
      return;
    }
    // Read the inputs once more as they are now (what the page holds is what is sent).
    values = { ...values, ...antForm.getFieldsValue(true) };
    const problems = problemsOf(values);
    if (problems.length > 0) {
      antForm.setFields(problems.map((p) => ({ name: p.field as keyof FormValues, errors: [t(p.text, p.values)] })));
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setSending(true);
    try {
      if (!amending) {
        const input = {
          consumerSystem: values.consumerSystem,
          serviceCode: values.serviceCode,
          serviceVersion: values.serviceVersion ?? null,
          ...terms(values),
          securityCommitment: { signedBy: (values.signedBy ?? '').trim(), text: (values.commitmentText ?? '').trim() },
        };
        const { submitAccessRequest } = await graphql<{ submitAccessRequest: { id: string; state: string; dueAt: string | null } }>(SUBMIT_MUTATION, { input });
        setDone(t(texts.submitted, { id: submitAccessRequest.id, due: formatDate(submitAccessRequest.dueAt, lang) }));
        navigate(`/developer/requests/${encodeURIComponent(submitAccessRequest.id)}`, { state: { submitted: true } });
      } else {
        await graphql(AMEND_MUTATION, { id, input: terms(values) });
        if (resubmit) {
          await graphql(ACT_MUTATION, { id, action: 'RESUBMIT' });
          navigate(`/developer/requests/${encodeURIComponent(id)}`);
        } else {
          setDone(t(texts.amended, { id }));
          existing.reload();
        }
      }
    } catch (error) {
      setApiError(error);
      const field = apiField(error);
      if (field !== undefined && error instanceof PortalError) antForm.setFields([{ name: field, errors: [`${error.code}: ${error.message}`] }]);
    } finally {
      setSending(false);
    }
  }

  const systems = form.data?.informationSystems ?? [];
  const title = amending ? texts.amendRequest : texts.requestAccess;
  const required = { required: true, message: t(texts.vRequired) };
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t(title)}
        {amending ? ` ${id}` : ''}
      </Typography.Title>
      <ErrorAlert error={form.error ?? existing.error} />
      {!form.loading && !amending && systems.length === 0 && form.error === undefined && <Alert type="warning" showIcon title={t(texts.noSystem)} />}
      {amending && request !== undefined && request.state !== 'CHANGES_REQUESTED' && (
        <Alert type="warning" showIcon title={t(texts.amendOnlyWhenChanges)} style={{ marginBottom: 16 }} />
      )}
      <Form<FormValues>
        form={antForm}
        layout="vertical"
        noValidate
        initialValues={{ purposes: [], fieldSets: [], commitmentText: t(texts.commitmentDefault) }}
        onFinish={() => void send(false)}
        onFinishFailed={() => setInvalid(true)}
        style={{ maxWidth: 860 }}
        aria-label={t(title)}
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item label={t(texts.consumerAgency)} htmlFor="consumerAgency">
              <Input id="consumerAgency" readOnly value={form.data?.registryAgency ? `${form.data.registryAgency.name} (${agency})` : agency} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="consumerSystem" label={t(texts.consumerSystem)} rules={amending ? [] : [required]}>
              <Select disabled={amending} aria-required options={systems.map((s: System) => ({ value: s.id, label: `${s.name} (${s.id})` }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item name="serviceCode" label={t(texts.serviceField)} rules={amending ? [] : [required]}>
              <Select
                disabled={amending}
                showSearch={{ optionFilterProp: 'label' }}
                aria-required
                onChange={(code: string) => {
                  const chosen = services.find((s) => s.code === code);
                  antForm.setFieldsValue({ serviceVersion: chosen?.currentVersion, fieldSets: [] });
                }}
                options={services.map((s) => ({ value: s.code, label: `${s.name} (${s.code})` }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="serviceVersion" label={t(texts.versionField)}>
              <Select
                disabled={amending}
                options={published.map((v) => ({ value: v.version, label: `v${v.version} — ${t(texts[`versionStatus${v.status}`])}` }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="fieldSets" label={t(texts.fieldSetsField)} rules={[rule((v) => checkFieldSets(v, offered, service?.kind), t)]}>
          <Checkbox.Group>
            <Space direction="vertical">
              {(version?.fieldSets ?? []).map((f) => (
                <Checkbox key={f.name} value={f.name}>
                  <code>{f.name}</code> — {f.description}
                  {f.personalData ? ` (${t(texts.personalData)})` : ''}
                </Checkbox>
              ))}
            </Space>
          </Checkbox.Group>
        </Form.Item>
        <Form.Item name="purposes" label={t(texts.purposesField)} extra={<Muted>{t(texts.purposesHelp)}</Muted>} rules={[rule(checkPurposes, t)]}>
          <Select mode="tags" aria-required tokenSeparators={[',', ' ']} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item name="legalBasis" label={t(texts.legalBasis)} rules={[rule((v) => checkText(v, 'legalBasis', LIMITS.legalBasis), t)]}>
          <Input.TextArea required aria-required rows={2} maxLength={LIMITS.legalBasis} showCount />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item
              name="expectedRequestsPerDay"
              label={t(texts.expectedRequestsPerDay)}
              rules={[rule((v) => checkPositive(v, 'expectedRequestsPerDay', LIMITS.expectedRequestsPerDay), t)]}
            >
              <InputNumber required aria-required min={1} max={LIMITS.expectedRequestsPerDay} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item
              name="quotaRequests"
              label={t(texts.quotaRequests)}
              extra={<Muted>{t(texts.quotaHelp)}</Muted>}
              dependencies={['quotaPerSeconds']}
              rules={[
                ({ getFieldValue }) =>
                  rule(
                    (v) =>
                      checkQuota(v, getFieldValue('quotaPerSeconds'))?.field === 'quotaRequests' ? checkQuota(v, getFieldValue('quotaPerSeconds')) : undefined,
                    t,
                  ),
              ]}
            >
              <InputNumber min={1} max={LIMITS.quotaRequests} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item
              name="quotaPerSeconds"
              label={t(texts.quotaPerSeconds)}
              dependencies={['quotaRequests']}
              rules={[
                ({ getFieldValue }) =>
                  rule(
                    (v) =>
                      checkQuota(getFieldValue('quotaRequests'), v)?.field === 'quotaPerSeconds' ? checkQuota(getFieldValue('quotaRequests'), v) : undefined,
                    t,
                  ),
              ]}
            >
              <InputNumber min={1} max={LIMITS.quotaPerSeconds} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="validTo" label={t(texts.validTo)} rules={[rule((v) => checkValidTo(v).problem, t)]}>
          <Input type="datetime-local" style={{ maxWidth: 280 }} />
        </Form.Item>
        {!amending && (
          <fieldset style={{ border: '1px solid #d9d9d9', borderRadius: 8, padding: '8px 16px', marginBottom: 16 }}>
            <legend style={{ width: 'auto', padding: '0 8px', fontSize: 16, border: 0, marginBottom: 0, color: 'rgba(0, 0, 0, 0.88)' }}>
              {t(texts.commitmentTitle)}
            </legend>
            <Form.Item name="signedBy" label={t(texts.signedBy)} rules={[rule((v) => checkText(v, 'signedBy', LIMITS.signedBy), t)]}>
              <Input required aria-required maxLength={LIMITS.signedBy} />
            </Form.Item>
            <Form.Item name="commitmentText" label={t(texts.commitmentText)} rules={[rule((v) => checkText(v, 'commitmentText', LIMITS.commitmentText), t)]}>
              <Input.TextArea required aria-required rows={4} maxLength={LIMITS.commitmentText} showCount />
            </Form.Item>
          </fieldset>
        )}
        {invalid && <Alert type="error" showIcon role="alert" title={t(texts.formInvalid)} style={{ marginBottom: 16 }} />}
        <ErrorAlert error={apiError} />
        {done !== undefined && <Alert type="success" showIcon title={done} style={{ marginBottom: 16 }} />}
        <Space style={{ marginTop: 16 }}>
          {!amending ? (
            <Button type="primary" htmlType="submit" loading={sending}>
              {t(texts.submit)}
            </Button>
          ) : (
            <>
              <Button onClick={() => void send(false)} loading={sending}>
                {t(texts.saveAmendment)}
              </Button>
              <Button type="primary" onClick={() => void send(true)} loading={sending}>
                {t(texts.resubmit)}
              </Button>
            </>
          )}
          <Link to="/developer/requests">{t(texts.myRequests)}</Link>
        </Space>
      </Form>
    </>
  );
}
