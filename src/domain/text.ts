/**
 * Names (of services, authorities, portals, people, catalogue entries) are one line of text. A line
 * break inside one splits a row of every CSV export and can start the next line with a formula; other
 * control characters are invisible on the page and break XML (XLSX). Refused where names come in.
 * U+2028/2029 count too: some editors and JavaScript treat them as line ends.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export const hasControlCharacter = (value: string): boolean => CONTROL.test(value);

/** Every run of the characters CONTROL looks for. */
const CONTROLS = new RegExp(`${CONTROL.source}+`, 'g');

/**
 * A name from elsewhere as one line: control characters become spaces, runs of spaces one. For names
 * the person cannot correct here (an identity provider's claims); names typed into the ZSK are refused.
 */
export const asOneLine = (value: string): string =>
  value.replace(CONTROLS, ' ').replace(/ {2,}/g, ' ').trim();

/** German message for a name that is not one line; `what` is the field as a sentence starts it. */
export function singleLineProblem(value: string, what: string): string | null {
  return hasControlCharacter(value)
    ? `${what} darf keine Zeilenumbrüche, Tabulatoren oder anderen Steuerzeichen enthalten.`
    : null;
}
