/** The folder's queries its index.tsx needs as probes (kept out of the pages' lazily loaded chunk). */

export const MY_APPLICATIONS = /* GraphQL */ `
  query CivilServantApplications {
    myApplications {
      id
      name
      description
      loginUrl
      agencyCode
    }
  }
`;
