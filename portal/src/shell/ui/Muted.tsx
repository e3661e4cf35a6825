/**
 * Secondary text with enough contrast (#595959 on white: 7:1). antd's `type="secondary"` (#8c8c8c, 3.4:1) is below
 * WCAG AA's 4.5:1 for normal text, and axe-core rightly flags it.
 * (Status tags: ToneTag.tsx.)
 */
import { Typography } from 'antd';
import type { ComponentProps } from 'react';

export const MUTED_COLOUR = '#595959';

export function Muted({ style, ...props }: Omit<ComponentProps<typeof Typography.Text>, 'type'>) {
  return <Typography.Text {...props} style={{ color: MUTED_COLOUR, ...style }} />;
}
