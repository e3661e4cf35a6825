/** The folder's queries its index.tsx needs as probes (kept out of the pages' lazily loaded chunk). */

export const MY_RECORD = /* GraphQL */ `
  query MyCitizenRecord {
    myCitizenRecord {
      personalId
      fullName
      dateOfBirth
      gender
      ethnicity {
        name
      }
      religion {
        name
      }
      nationality {
        name
      }
      permanentAddress {
        fullText
      }
      currentAddress {
        fullText
      }
      household {
        number
      }
    }
  }
`;
