/**
 * The 100-citizen query of issue point 9(b): 100 citizens with the names of their wards (`AdministrativeUnit`
 * entities) and of their ethnic groups (`EthnicGroup` entities), both resolved by catalogs. national-data answers
 * the citizens from one batch call to the simulator.
 */
export const CITIZENS_QUERY = `query HundredCitizens($ids: [String!]!) {
  citizens(personalIds: $ids) {
    personalId
    fullName
    dateOfBirth
    ethnicity { code name }
    permanentAddress { street ward { code name } }
  }
}`;
