/** Help text under a field in a grey that keeps 7:1 contrast (antd's description grey is 3.4:1 on white). */
import type { ReactNode } from 'react';

export function Help({ children }: { children: ReactNode }) {
  return <span style={{ color: '#595959' }}>{children}</span>;
}
