/**
 * antd's RangePicker with both inputs labelled: the form item's label names the first (its `id`), and the second
 * gets an `aria-label` ("… — đến"), which antd leaves to the placeholder alone (axe: label-title-only).
 */
import { DatePicker } from 'antd';
import { useEffect, useRef, type ComponentProps } from 'react';
import { useLang } from '../i18n.tsx';

export function RangeField({ endLabel, ...props }: ComponentProps<typeof DatePicker.RangePicker> & { endLabel: string }) {
  const box = useRef<HTMLSpanElement>(null);
  const { lang } = useLang();
  useEffect(() => {
    const inputs = box.current?.querySelectorAll('input') ?? [];
    inputs[1]?.setAttribute('aria-label', `${endLabel} — ${lang === 'vi' ? 'đến' : 'to'}`);
    if (inputs[0] !== undefined && props.id === undefined) inputs[0].setAttribute('aria-label', `${endLabel} — ${lang === 'vi' ? 'từ' : 'from'}`);
  });
  return (
    <span ref={box} style={{ display: 'block' }}>
      <DatePicker.RangePicker {...props} />
    </span>
  );
}
