const integerDe = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 0 });
const decimalDe = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dateTimeDe = new Intl.DateTimeFormat('de-DE', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'Europe/Berlin',
});

/** German number formatting as in the federal reports: 1.252.473 */
export const formatInt = (n: number): string => integerDe.format(n);
export const formatDecimal = (n: number): string => decimalDe.format(n);
export const formatDateTime = (d: Date | string): string =>
  dateTimeDe.format(typeof d === 'string' ? new Date(d) : d);
