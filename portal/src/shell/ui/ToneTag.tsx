/**
 * A status as a tag, readable: white text on a dark colour (≥ 4.5:1; antd's light preset tags, #389e0d on #f6ffed and
 * the like, fall short and axe-core flags them). A tone the list does not know (`neutral`) is antd's plain grey tag.
 */
import { Tag } from 'antd';
import type { ReactNode } from 'react';

const TONES: Record<string, string> = {
  green: '#237804',
  red: '#a8071a',
  orange: '#873800',
  blue: '#0050b3',
  success: '#2e6b30',
  warning: '#8a5300',
  error: '#a1231b',
  processing: '#1d5a96',
  default: '#595959',
};

export type Tone = 'green' | 'red' | 'orange' | 'blue' | 'success' | 'warning' | 'error' | 'processing' | 'default' | 'neutral';

export function ToneTag({ tone, title, children }: { tone: Tone | string | undefined; title?: string; children: ReactNode }) {
  const colour = TONES[tone ?? 'default'];
  return colour === undefined ? (
    <Tag title={title}>{children}</Tag>
  ) : (
    <Tag color={colour} variant="solid" title={title} style={{ marginBottom: 2 }}>
      {children}
    </Tag>
  );
}
