/**
 * A tag in an accessible tone: antd's preset tag colours (green, volcano, …) fall under the 4.5:1 contrast axe-core
 * asks for at 12 px; these pairs are 5:1 or more.
 */
import { Tag } from 'antd';
import type { ReactNode } from 'react';

const TONES = {
  green: { color: '#237804', background: '#f6ffed', borderColor: '#b7eb8f' },
  red: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
  volcano: { color: '#ad2102', background: '#fff2e8', borderColor: '#ffbb96' },
  orange: { color: '#ad4e00', background: '#fff7e6', borderColor: '#ffd591' },
  blue: { color: '#0958d9', background: '#e6f4ff', borderColor: '#91caff' },
  cyan: { color: '#006d75', background: '#e6fffb', borderColor: '#87e8de' },
  grey: { color: '#434343', background: '#fafafa', borderColor: '#d9d9d9' },
} as const;
export type ToneName = keyof typeof TONES;

export function Tone({ tone, title, children }: { tone: ToneName; title?: string; children: ReactNode }) {
  return (
    <Tag style={TONES[tone]} {...(title !== undefined ? { title } : {})}>
      {children}
    </Tag>
  );
}
