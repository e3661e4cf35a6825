/**
 * Secondary text with enough contrast (#595959 on white: 7:1). antd's `type="secondary"` (#8c8c8c, 3.4:1) is below
 * WCAG AA's 4.5:1 for normal text, and axe-core rightly flags it.
 */
import { Tag, Typography } from 'antd';
import type { ComponentProps, ReactNode } from 'react';

export const MUTED_COLOUR = '#595959';

export function Muted({ style, ...props }: Omit<ComponentProps<typeof Typography.Text>, 'type'>) {
  return <Typography.Text {...props} style={{ color: MUTED_COLOUR, ...style }} />;
}

/** Tag colours dark enough for white text (≥ 4.5:1); antd's preset tags (#389e0d on #f6ffed) are not. */
const TONES: Record<string, string> = { green: '#237804', red: '#a8071a', orange: '#873800', blue: '#0050b3' };

/** A status tag: solid and readable for a known tone, antd's neutral tag otherwise. */
export function ToneTag({ tone, children }: { tone: string; children: ReactNode }) {
  const colour = TONES[tone];
  return colour === undefined ? (
    <Tag>{children}</Tag>
  ) : (
    <Tag color={colour} variant="solid">
      {children}
    </Tag>
  );
}
