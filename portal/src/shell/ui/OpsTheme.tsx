/**
 * The theme of the operator, civil-servant and citizen screens inside the shell's: a darker error colour, so that
 * danger buttons (white on red, red on white) reach WCAG AA contrast (antd's #ff4d4f gives 3.3:1).
 */
import { ConfigProvider } from 'antd';
import type { ReactNode } from 'react';

export function OpsTheme({ children }: { children: ReactNode }) {
  return <ConfigProvider theme={{ token: { colorError: '#b42318' } }}>{children}</ConfigProvider>;
}
