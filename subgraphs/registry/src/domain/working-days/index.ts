/**
 * Vietnamese working days and the registry's deadlines (issue 16, R7): the calendar as data (src/data/calendar/),
 * `dueDate`, `isOverdue`, and the lunar dates and Labour Code rule that check and extend the table. Pure.
 */
export * from './calendar.ts';
export * from './due-date.ts';
export * from './iso-date.ts';
export * from './labour-code.ts';
export * from './lunar.ts';
