/**
 * Keycloak's password policy string (`length(8) and upperCase(1) and …`) parsed and checked the way Keycloak's
 * policy providers check it. R6 (App01 §2.2b): at least 8 characters with lower, upper, digit and special
 * characters, not related to the account's names.
 */

export interface PolicyRule {
  name: string;
  argument: string | undefined;
}

/** Policies this module checks; anything else in the realm is reported by `unknownPolicies`. */
const known = new Set([
  'length',
  'maxLength',
  'upperCase',
  'lowerCase',
  'digits',
  'specialChars',
  'notUsername',
  'notContainsUsername',
  'notEmail',
  'regexPattern',
  // Enforced only when a password changes (history) or about storage; nothing to check on a given password.
  'passwordHistory',
  'hashAlgorithm',
  'hashIterations',
  'forceExpiredPasswordChange',
]);

export function parsePasswordPolicy(policy: string | undefined): PolicyRule[] {
  if (policy === undefined || policy.trim() === '') return [];
  return policy.split(' and ').map((part) => {
    const text = part.trim();
    const open = text.indexOf('(');
    if (open === -1) return { name: text, argument: undefined };
    return { name: text.slice(0, open).trim(), argument: text.slice(open + 1, text.lastIndexOf(')')) };
  });
}

export function unknownPolicies(rules: PolicyRule[]): string[] {
  return rules.filter((r) => !known.has(r.name)).map((r) => r.name);
}

function count(password: string, pattern: RegExp): number {
  return [...password].filter((c) => pattern.test(c)).length;
}

function atLeast(rule: PolicyRule): number {
  // Keycloak's default for a rule written without an argument is 1 (length: 8).
  const n = rule.argument === undefined || rule.argument === 'undefined' ? (rule.name === 'length' ? 8 : 1) : Number(rule.argument);
  return Number.isFinite(n) ? n : 1;
}

/** Every rule the password breaks, as readable sentences; empty when the password satisfies the policy. */
export function passwordViolations(rules: PolicyRule[], password: string, account: { username: string; email?: string | undefined }): string[] {
  const violations: string[] = [];
  const chars = [...password];
  for (const rule of rules) {
    switch (rule.name) {
      case 'length':
        if (chars.length < atLeast(rule)) violations.push(`shorter than ${atLeast(rule)} characters`);
        break;
      case 'maxLength':
        if (chars.length > atLeast(rule)) violations.push(`longer than ${atLeast(rule)} characters`);
        break;
      case 'upperCase':
        if (count(password, /\p{Lu}/u) < atLeast(rule)) violations.push(`fewer than ${atLeast(rule)} upper-case letters`);
        break;
      case 'lowerCase':
        if (count(password, /\p{Ll}/u) < atLeast(rule)) violations.push(`fewer than ${atLeast(rule)} lower-case letters`);
        break;
      case 'digits':
        if (count(password, /\p{Nd}/u) < atLeast(rule)) violations.push(`fewer than ${atLeast(rule)} digits`);
        break;
      case 'specialChars':
        // Keycloak counts every character that is neither a letter nor a digit.
        if (count(password, /[^\p{L}\p{Nd}]/u) < atLeast(rule)) violations.push(`fewer than ${atLeast(rule)} special characters`);
        break;
      case 'notUsername':
        if (password.toLowerCase() === account.username.toLowerCase()) violations.push('equal to the username');
        break;
      case 'notContainsUsername':
        if (password.toLowerCase().includes(account.username.toLowerCase())) violations.push('contains the username');
        break;
      case 'notEmail':
        if (account.email !== undefined && password.toLowerCase() === account.email.toLowerCase()) violations.push('equal to the email');
        break;
      case 'regexPattern':
        if (rule.argument !== undefined && !new RegExp(`^(?:${rule.argument})$`).test(password)) violations.push(`does not match ${rule.argument}`);
        break;
      default:
        break;
    }
  }
  return violations;
}
