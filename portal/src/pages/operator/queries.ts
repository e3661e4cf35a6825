/** The folder's queries its index.tsx needs as probes (kept out of the pages' lazily loaded chunk). */

export const AUDIT_PROBE = /* GraphQL */ `
  query OperatorAuditChain {
    auditChainStatus {
      verified
      verifiedThroughSeq
      verifiedAt
      lastFullVerificationAt
      lastCheckpoint {
        seq
        at
        keyId
      }
      headSeq
      firstProblem {
        kind
        seq
        detail
      }
    }
  }
`;
