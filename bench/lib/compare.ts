/** Byte-for-byte comparison of two gateways' responses, with a readable excerpt where they first differ. */

export interface Difference {
  offset: number;
  excerptA: string;
  excerptB: string;
  lengthA: number;
  lengthB: number;
}

export function firstDifference(a: string, b: string, context = 80): Difference | undefined {
  if (a === b) return undefined;
  let offset = 0;
  const max = Math.min(a.length, b.length);
  while (offset < max && a.charCodeAt(offset) === b.charCodeAt(offset)) offset++;
  const from = Math.max(0, offset - context);
  return {
    offset,
    excerptA: a.slice(from, offset + context),
    excerptB: b.slice(from, offset + context),
    lengthA: a.length,
    lengthB: b.length,
  };
}

export function describeDifference(nameA: string, nameB: string, d: Difference): string {
  return [
    `responses differ at character ${d.offset} (lengths ${d.lengthA} and ${d.lengthB}):`,
    `  ${nameA}: …${d.excerptA}…`,
    `  ${nameB}: …${d.excerptB}…`,
  ].join('\n');
}
